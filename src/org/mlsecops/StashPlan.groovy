package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/**
 * What each stage unstashes before the worker runs and stashes after it, derived from the
 * stage manifest {@code resources/org/mlsecops/stages.yaml} that the worker reads too.
 *
 * A folder {@code <workspace>/<folder>/} a stage writes is stashed as {@code mlsecops-<folder>}
 * (the rendered reports as {@code mlsecops-reports}: the latest stage that renders them wins).
 * A parallel scan branch writes {@code <workspace>/scan/<scanner>/}, stashed as
 * {@code mlsecops-scan-<scanner>}. Every stash made in the build is recorded in
 * {@code env.MLSECOPS_STASHES}, so a stage with optional inputs (notify, report) unstashes only
 * what exists: no failing {@code unstash} in a build.
 */
class StashPlan implements Serializable {

    private static final long serialVersionUID = 1L

    static final String RESOURCE = 'org/mlsecops/stages.yaml'
    static final String PREFIX = 'mlsecops-'
    static final String STASHED_ENV = 'MLSECOPS_STASHES'

    /**
     * Files a stage writes that must never leave its agent: a locally generated signing key
     * would otherwise travel to the controller's stash storage.
     */
    static final Map<String, List<String>> NEVER_STASHED = [
        'sign': ['local-key/**'],
    ]

    /** The parsed stage manifest (libraryResource + readYaml). */
    static Map load(Object script) {
        return script.readYaml(text: script.libraryResource(RESOURCE)) as Map
    }

    /** The manifest's entry of {@code stage}; IllegalArgumentException for a stage it does not know. */
    @NonCPS
    static Map entry(Map manifest, String stage) {
        Map found = (manifest.stages as List).find { (it as Map).name == stage } as Map
        if (found == null) {
            String known = (manifest.stages as List).collect { (it as Map).name }.join(', ')
            throw new IllegalArgumentException("unknown mlsecops stage '${stage}' (known: ${known})")
        }
        return found
    }

    /** Every folder some stage writes, in pipeline order. */
    @NonCPS
    static List<String> folders(Map manifest) {
        List<String> result = []
        (manifest.stages as List).each { stage ->
            ((stage as Map).writes as List).each { folder ->
                if (!result.contains(folder)) {
                    result << (folder as String)
                }
            }
        }
        return result
    }

    /**
     * The stashes {@code stage} needs: a list of maps {@code [name: ..., optional: ...]}.
     * The scan folder expands to one stash per scanner when scans run in parallel.
     */
    @NonCPS
    static List<Map> inputs(Map cfg, String stage) {
        Map manifest = cfg.manifest as Map
        Map own = entry(manifest, stage)
        Object optional = own.readsOptional
        List<String> optionalFolders = optional == 'all' ? folders(manifest) : ((optional ?: []) as List)
        List<Map> result = []
        (own.reads as List ?: []).each { folder ->
            stashNames(cfg, folder as String).each { name -> result << [name: name, optional: false] }
        }
        optionalFolders.each { folder ->
            stashNames(cfg, folder as String).each { name -> result << [name: name, optional: true] }
        }
        return result
    }

    /**
     * The stashes {@code stage} (or its parallel {@code branch}) makes:
     * a list of maps {@code [name: ..., includes: ..., excludes: ...]}.
     */
    @NonCPS
    static List<Map> outputs(Map cfg, String stage, String branch = null) {
        String ws = cfg.workspace
        if (branch) {
            String folder = "${ws}/${stage}/${branch}/**"
            return [[name: "${PREFIX}${stage}-${branch}".toString(), includes: folder]]
        }
        List<Map> result = []
        (entry(cfg.manifest as Map, stage).writes as List).each { folder ->
            Map out = [name: "${PREFIX}${folder}".toString(), includes: "${ws}/${folder}/**".toString()]
            if (NEVER_STASHED[folder]) {
                out.excludes = NEVER_STASHED[folder].collect { "${ws}/${folder}/${it}".toString() }.join(',')
            }
            result << out
        }
        return result
    }

    /** The names stashed so far in this build, from {@code env.MLSECOPS_STASHES}. */
    @NonCPS
    static List<String> stashed(Object value) {
        return ((value ?: '') as String).split(',').findAll { it } as List<String>
    }

    /** {@code env.MLSECOPS_STASHES} with {@code name} added. */
    @NonCPS
    static String withStashed(Object value, String name) {
        List<String> names = stashed(value)
        if (!names.contains(name)) {
            names << name
        }
        return names.join(',')
    }

    /** The folder of the stage's (or branch's) result.json. */
    @NonCPS
    static String resultDir(Map cfg, String stage, String branch = null) {
        return branch ? "${cfg.workspace}/${stage}/${branch}".toString() : "${cfg.workspace}/${stage}".toString()
    }

    @NonCPS
    private static List<String> stashNames(Map cfg, String folder) {
        if (folder == 'scan' && cfg.scanParallel) {
            return (cfg.scanners as List).collect { "${PREFIX}scan-${it}".toString() }
        }
        return ["${PREFIX}${folder}".toString()]
    }

}
