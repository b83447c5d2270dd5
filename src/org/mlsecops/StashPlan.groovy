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

    /** Where {@code mlsecops handoff put} writes the pointer of a handed-off folder, in the workspace. */
    static final String POINTER_DIR = '.handoff'

    static final long MEGABYTE = 1024L * 1024L

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
            stashFolders(cfg, folder as String).each { String name, String path ->
                result << [name: name, folder: path, optional: false]
            }
        }
        optionalFolders.each { folder ->
            stashFolders(cfg, folder as String).each { String name, String path ->
                result << [name: name, folder: path, optional: true]
            }
        }
        return result
    }

    /**
     * The stashes {@code stage} (or its parallel {@code branch}) makes: a list of maps
     * {@code [name: ..., folder: ..., includes: ..., excludes: ..., keep: [globs in the folder that stay here]]}.
     */
    @NonCPS
    static List<Map> outputs(Map cfg, String stage, String branch = null) {
        String ws = cfg.workspace
        if (branch) {
            String folder = "${stage}/${branch}"
            return [[name: "${PREFIX}${stage}-${branch}".toString(), folder: folder,
                     includes: "${ws}/${folder}/**".toString(), keep: []]]
        }
        List<Map> result = []
        (entry(cfg.manifest as Map, stage).writes as List).each { folder ->
            List<String> keep = (NEVER_STASHED[folder] ?: []) as List<String>
            Map out = [name: "${PREFIX}${folder}".toString(), folder: folder, includes: "${ws}/${folder}/**".toString(),
                       keep: keep]
            if (keep) {
                out.excludes = keep.collect { "${ws}/${folder}/${it}".toString() }.join(',')
            }
            result << out
        }
        return result
    }

    /**
     * Whether a folder of {@code bytes} (as {@code mlsecops handoff size} reports it) travels through
     * the store instead of a controller stash: above {@code stashMaxMb}; never when it is 0.
     */
    @NonCPS
    static boolean handOff(Map cfg, long bytes) {
        long limit = ((cfg.stashMaxMb ?: 0) as long) * MEGABYTE
        return limit > 0 && bytes > limit
    }

    @NonCPS
    static boolean handOffEnabled(Map cfg) {
        return ((cfg.stashMaxMb ?: 0) as long) > 0
    }

    /** The pointer file of a handed-off {@code folder} ('train', 'scan/secrets'). */
    @NonCPS
    static String pointer(Map cfg, String folder) {
        return "${cfg.workspace}/${POINTER_DIR}/${folder}.json".toString()
    }

    /** The stash of a handed-off output: its pointer only. */
    @NonCPS
    static Map pointerStash(Map cfg, Map output) {
        return [name: output.name, folder: output.folder, includes: pointer(cfg, output.folder as String)]
    }

    /** The id the handed-off objects are kept under in the store: the build's BUILD_TAG. */
    @NonCPS
    static String buildId(Object tag, Object job, Object number) {
        String id = (tag ?: "jenkins-${job}-${number}") as String
        return id.replaceAll('[^A-Za-z0-9._-]', '-')
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

    /** stash name -> the workspace folder it carries */
    @NonCPS
    private static Map<String, String> stashFolders(Map cfg, String folder) {
        Map<String, String> result = [:]
        if (folder == 'scan' && cfg.scanParallel) {
            (cfg.scanners as List).each { result["${PREFIX}scan-${it}".toString()] = "scan/${it}".toString() }
            return result
        }
        result["${PREFIX}${folder}".toString()] = folder
        return result
    }

}
