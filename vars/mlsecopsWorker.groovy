import org.mlsecops.Config
import org.mlsecops.StepErrors
import org.mlsecops.StepParams
import org.mlsecops.Worker

/**
 * The one wrapper every stage step goes through: runs one worker command on an agent or pod,
 * with the stage's stashes, credentials, reports and exit-code mapping. See mlsecopsWorker.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [
        // the workspace stage: load, scan, gate-security, train, evaluate, modeltest, gate-model,
        // sign, store, notify, report (required)
        stage: null,
        // a parallel branch of the stage (scan: the scanner name), or null
        branch: null,
        // the worker command and its arguments, e.g. ['gate', '--stage', 'security'] (required)
        command: null,
        // the calling step, named in messages
        step: 'mlsecopsWorker',
        // fail the build on a non-zero exit code (notify: false)
        failBuild: null,
    ]
    StepParams.check(this, 'mlsecopsWorker', params, defaults)
    Map args = StepParams.withDefaults(params, defaults)
    if (!args.stage || !args.command) {
        error '[mlsecopsWorker] stage and command are required'
    }
    Map cfg = Config.load(this, args.stage as String, Config.pick(args, StepParams.COMMON.keySet() + ['failBuild']))
    Integer minutes = (cfg.stepTimeoutMinutes ?: 0) as Integer
    StepErrors.handle(this, args.step as String, cfg + Config.pick(args, ['stage', 'branch', 'command']), minutes) {
        new Worker(this, cfg, Config.pick(args, ['step', 'stage', 'branch', 'command'])).run()
    }
}
