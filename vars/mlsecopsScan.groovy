import org.mlsecops.Config
import org.mlsecops.StepParams

/**
 * Stage 3: run the scanners, as one parallel branch per scanner (`scan --only <name>`, each
 * stashed as mlsecops-scan-<name>) or in one run (stashed as mlsecops-scan). Records
 * findings; never fails the build by itself. See mlsecopsScan.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [
        // run only these scanners (a list, or a comma-separated string); default: `scanners`
        only: null,
    ]
    StepParams.check(this, 'mlsecopsScan', params, defaults)
    Map common = Config.pick(params, StepParams.COMMON.keySet())
    Map cfg = Config.load(this, 'scan', common)
    common.repoConfig = cfg.repoConfig // read once: the branches use it as it is
    List<String> scanners = selected(params.only, cfg.scanners as List)
    if (!scanners) {
        error '[mlsecopsScan] no scanner selected'
    }
    if (!cfg.scanParallel) {
        List<String> command = params.only ? ['scan', '--only', scanners.join(',')] : ['scan']
        mlsecopsWorker(common + [step: 'mlsecopsScan', stage: 'scan', command: command])
        return
    }
    if (scanners.size() == 1) {
        scanBranch(common, scanners[0])
        return
    }
    Map branches = [:]
    for (int i = 0; i < scanners.size(); i++) {
        String scanner = scanners[i]
        branches[scanner] = { scanBranch(common, scanner) }
    }
    parallel(branches + [failFast: false])
}

/** One scanner: `scan --only <scanner>` writes .mlsecops/scan/<scanner>/, stashed as mlsecops-scan-<scanner>. */
private void scanBranch(Map common, String scanner) {
    mlsecopsWorker(common + [step: 'mlsecopsScan', stage: 'scan', branch: scanner,
                             command: ['scan', '--only', scanner]])
}

@NonCPS
@SuppressWarnings('Instanceof') // `only` is a list or a comma-separated string
private List<String> selected(Object only, List configured) {
    Object names = only ?: configured
    List<String> list = (names instanceof String) ? (names as String).split(',') as List : names as List
    return list.collect { String.valueOf(it).trim() }.findAll { it }.unique()
}
