package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/**
 * What each stage unstashes before the worker runs and stashes after it.
 *
 * A stage writes only {@code <workspace>/<stage>/}; it is stashed as {@code mlsecops-<stage>}.
 * A parallel scan branch writes {@code <workspace>/scan/<scanner>/}, stashed as
 * {@code mlsecops-scan-<scanner>}. The reports folder a stage renders is stashed as
 * {@code mlsecops-reports} (the latest one wins), except by parallel branches, which would race.
 * {@code report} only re-renders the reports; {@code notify}'s reports are not kept.
 */
class StashPlan implements Serializable {

    private static final long serialVersionUID = 1L

    static final String PREFIX = 'mlsecops-'
    static final String REPORTS = 'reports'

    /** The workspace folders each stage reads, in pipeline order. */
    static final Map<String, List<String>> NEEDS = [
        'load'         : [],
        'scan'         : ['load'],
        'gate-security': ['load', 'scan'],
        'train'        : ['load'],
        'evaluate'     : ['load', 'train'],
        'modeltest'    : ['load', 'train'],
        'gate-model'   : ['load', 'scan', 'gate-security', 'train', 'evaluate', 'modeltest'],
        'sign'         : ['train', 'gate-security', 'gate-model'],
        'store'        : ['train', 'sign', 'evaluate', 'gate-security', 'gate-model', REPORTS],
    ].asImmutable()

    /**
     * Files a stage writes that must never leave its agent: a locally generated signing key
     * would otherwise travel to the controller's stash storage.
     */
    static final Map<String, List<String>> NEVER_STASHED = [
        'sign': ['local-key/**'],
    ].asImmutable()

    /** Stages that take whatever earlier stages left, and run even when some did not. */
    static final List<String> OPTIONAL_INPUTS = ['notify', 'report'].asImmutable()

    static final List<String> ALL = ['load', 'scan', 'gate-security', 'train', 'evaluate', 'modeltest',
                                     'gate-model', 'sign', 'store', REPORTS].asImmutable()

    /** Every stage the library knows, with or without stashed inputs. */
    static final List<String> STAGES = (NEEDS.keySet() as List) + OPTIONAL_INPUTS

    /**
     * The stash names {@code stage} needs: a list of maps {@code [name: ..., optional: ...]}.
     * The scan stage expands to one stash per scanner when scans run in parallel.
     */
    @NonCPS
    static List<Map> inputs(Map cfg, String stage) {
        boolean optional = OPTIONAL_INPUTS.contains(stage)
        List<String> folders = optional ? ALL : NEEDS[stage]
        if (folders == null) {
            throw new IllegalArgumentException("unknown mlsecops stage '${stage}' (known: ${STAGES.join(', ')})")
        }
        List<Map> result = []
        folders.each { folder ->
            stashNames(cfg, folder).each { name -> result << [name: name, optional: optional] }
        }
        return result
    }

    /**
     * The stashes {@code stage} (or its parallel {@code branch}) makes:
     * a list of maps {@code [name: ..., includes: ...]}.
     */
    @NonCPS
    static List<Map> outputs(Map cfg, String stage, String branch = null) {
        String ws = cfg.workspace
        if (branch) {
            String folder = "${ws}/${stage}/${branch}/**"
            return [[name: "${PREFIX}${stage}-${branch}".toString(), includes: folder]]
        }
        List<Map> result = []
        if (stage != 'report') {
            Map own = [name: "${PREFIX}${stage}".toString(), includes: "${ws}/${stage}/**".toString()]
            if (NEVER_STASHED[stage]) {
                own.excludes = NEVER_STASHED[stage].collect { "${ws}/${stage}/${it}".toString() }.join(',')
            }
            result << own
        }
        if (stage != 'notify') {
            result << [name: "${PREFIX}${REPORTS}".toString(), includes: "${ws}/${REPORTS}/**".toString()]
        }
        return result
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
