package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/**
 * The parameters every stage step accepts, and the check that rejects unknown ones.
 * A null value means "from the configuration layers" (defaults.yaml, then mlsecops.yaml).
 */
class StepParams implements Serializable {

    private static final long serialVersionUID = 1L

    static final Map COMMON = [
        // the worker config in the repository, passed as --config (default 'mlsecops.yaml')
        configFile: null,
        // the worker workspace, passed as --workspace (default '.mlsecops')
        workspace: null,
        // the worker image (default 'mlsecops/worker:<library version>'; GPU stages: its '-cuda' variant)
        image: null,
        // 'docker' (docker.image(image).inside) or 'kubernetes' (podTemplate + container)
        agent: null,
        // node label of the agent to allocate when the step is not already on one
        label: null,
        // extra `docker run` arguments for .inside()
        dockerArgs: null,
        // run on a GPU node and pass the GPU to the container
        gpu: null,
        // `checkout scm` on an agent the step allocates
        checkout: null,
        // unstash the stage's inputs and stash its outputs (false: all stages share one workspace)
        stash: null,
        // publish reports after the stage
        publish: null,
        // read mlsecops.yaml with readTrusted (true) or from the agent's workspace (false)
        trustedConfig: null,
        // report "running" to GitLab/GitHub after checkout
        commitStatus: null,
        // commit statuses go to GitLab (updateGitlabCommitStatus, default true) and/or GitHub (publishChecks,
        // default false), named statusName (default 'mlsecops')
        gitlabStatus: null,
        githubStatus: null,
        statusName: null,
        // run the scanners as parallel branches; the gates unstash what the scan stashed
        scanParallel: null,
        // the scanners of stage 3, by the worker's names (secrets, dataset, models, bandit, dependencies, ...)
        scanners: null,
        // the `jenkins:` section of mlsecops.yaml, already read: mlsecopsPipeline reads the file once per
        // build and hands it to every step (internal: not for a Jenkinsfile)
        repoConfig: null,
    ]

    /** Calls {@code error} when {@code params} has a key that {@code defaults} does not declare. */
    static void check(Object script, String step, Map params, Map defaults) {
        List<String> unknown = unknownKeys(params, defaults)
        if (unknown) {
            script.error("[${step}] unknown key: ${unknown.join(', ')} (accepted: ${acceptedKeys(defaults)})")
        }
    }

    /** The step's parameters: call parameters over the step's own non-null defaults. */
    @NonCPS
    static Map withDefaults(Map params, Map defaults) {
        Map result = [:]
        defaults.each { key, value ->
            if (value != null) {
                result[key] = value
            }
        }
        result.putAll(params ?: [:])
        return result
    }

    @NonCPS
    static List<String> unknownKeys(Map params, Map defaults) {
        List<String> unknown = []
        (params ?: [:]).keySet().each { key ->
            if (!defaults.containsKey(key)) {
                unknown << String.valueOf(key)
            }
        }
        return unknown.sort()
    }

    @NonCPS
    private static String acceptedKeys(Map defaults) {
        return defaults.keySet().collect { String.valueOf(it) }.sort().join(', ')
    }

}
