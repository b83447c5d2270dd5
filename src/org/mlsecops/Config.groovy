package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/**
 * Layered configuration of a step.
 *
 * <ol>
 *   <li>library defaults: {@code resources/org/mlsecops/defaults.yaml} (libraryResource)</li>
 *   <li>the {@code jenkins:} section of the repository's {@code mlsecops.yaml} (readYaml)</li>
 *   <li>the parameters of the step call</li>
 * </ol>
 * In layers 1 and 2 the keys under {@code stages.<stage>} override that layer's general
 * keys for that stage. Maps are merged key by key; anything else is replaced.
 */
@SuppressWarnings('Instanceof') // YAML gives maps, lists and scalars: merging must tell them apart
class Config implements Serializable {

    private static final long serialVersionUID = 1L

    static final String DEFAULTS_RESOURCE = 'org/mlsecops/defaults.yaml'

    /**
     * The effective configuration of {@code stage} for a step called with {@code params}, with
     * the stage manifest as {@code manifest} and the repository's section as {@code repoConfig}.
     * A {@code repoConfig} in {@code params} (mlsecopsPipeline reads the file once per build and
     * hands it to every step) is used as it is: the file is not read again.
     */
    static Map load(Object script, String stage, Map params) {
        Map defaults = script.readYaml(text: script.libraryResource(DEFAULTS_RESOURCE)) as Map
        Map early = merge(forStage(defaults, stage), params)
        Map repo = params?.repoConfig != null ? params.repoConfig as Map : readRepo(script, early)
        Map cfg = merge(merge(early, forStage(repo, stage)), params)
        cfg.repoConfig = repo
        cfg.manifest = StashPlan.load(script)
        return cfg
    }

    /**
     * The {@code jenkins:} section of the repository's worker config, or an empty map.
     * With {@code trustedConfig} (the default) the file is read with {@code readTrusted}, so
     * a merge request from an untrusted fork cannot change the image or the credentials;
     * otherwise it is read from the workspace of the current agent, and a step that is not on
     * one fails rather than silently running without the repository's settings.
     */
    static Map readRepo(Object script, Map cfg) {
        String path = cfg.configFile as String
        String text = null
        if (cfg.trustedConfig) {
            text = script.readTrusted(path) as String
        } else if (!script.env.NODE_NAME) {
            script.error("[mlsecops] trustedConfig is false, so ${path} is read from the agent's workspace, " +
                         'but this step is not on an agent: call it inside node { checkout scm ... }, ' +
                         'or keep trustedConfig true')
        } else if (script.fileExists(path)) {
            text = script.readFile(file: path) as String
        } else {
            script.echo("[mlsecops] WARNING: trustedConfig is false and ${path} is not in the agent's workspace: " +
                        'the library defaults and the step parameters apply alone')
        }
        return section(script, path, text)
    }

    /** The {@code jenkins:} section of the config {@code text} (with the worker's scan list). */
    static Map section(Object script, String path, String text) {
        if (!text?.trim()) {
            return [:]
        }
        Map whole = script.readYaml(text: text) as Map
        Object jenkinsSection = whole?.jenkins
        if (jenkinsSection != null && !(jenkinsSection instanceof Map)) {
            script.error("[mlsecops] ${path}: 'jenkins' must be a map")
        }
        Map jenkins = (jenkinsSection ?: [:]) as Map
        // One list of scanners: the worker's `scan.scanners` names the parallel branches too,
        // unless the jenkins section says otherwise.
        Object scan = whole?.scan
        Object workerScanners = (scan instanceof Map) ? scan.scanners : null
        if (workerScanners && !jenkins.containsKey('scanners')) {
            jenkins = merge(jenkins, [scanners: workerScanners])
        }
        // One switch for the optional redact stage: the worker's `redact.enabled` (mlsecops run runs
        // it) also adds the stage to the Jenkins pipeline.
        Object redact = whole?.redact
        if (redact instanceof Map && !jenkins.containsKey('redact')) {
            jenkins = merge(jenkins, [redact: redact.enabled == true])
        }
        return jenkins
    }

    /** The general keys of {@code layer} with its {@code stages.<stage>} section merged on top. */
    @NonCPS
    static Map forStage(Map layer, String stage) {
        Map general = [:]
        (layer ?: [:]).each { key, value ->
            if (key != 'stages') {
                general[key] = value
            }
        }
        Object stages = layer?.stages
        Object own = (stages instanceof Map) ? stages[stage] : null
        return (own instanceof Map) ? merge(general, own as Map) : general
    }

    /** A new map: {@code over} deep-merged onto {@code base}; neither argument is changed. */
    @NonCPS
    static Map merge(Map base, Map over) {
        Map result = [:]
        (base ?: [:]).each { key, value -> result[key] = copy(value) }
        (over ?: [:]).each { key, value ->
            if (value == null) {
                return // null: "not set in this layer"
            }
            Object old = result[key]
            result[key] = (old instanceof Map && value instanceof Map) ? merge(old as Map, value as Map) : copy(value)
        }
        return result
    }

    /** The entries of {@code map} whose keys are in {@code keys}. */
    @NonCPS
    static Map pick(Map map, Collection keys) {
        Map result = [:]
        (map ?: [:]).each { key, value ->
            if (keys.contains(key)) {
                result[key] = value
            }
        }
        return result
    }

    @NonCPS
    private static Object copy(Object value) {
        if (value instanceof Map) {
            return merge([:], value as Map)
        }
        if (value instanceof List) {
            return new ArrayList(value as List)
        }
        return value
    }

}
