package org.mlsecops

/**
 * Reports the pipeline's state to the merge request: GitLab through the gitlab plugin's
 * updateGitlabCommitStatus, GitHub through the Checks API plugin's publishChecks.
 * States: running, success, failed, canceled.
 */
class CommitStatus implements Serializable {

    private static final long serialVersionUID = 1L

    static final Map<String, Map> GITHUB = [
        running : [status: 'IN_PROGRESS'],
        success : [status: 'COMPLETED', conclusion: 'SUCCESS'],
        failed  : [status: 'COMPLETED', conclusion: 'FAILURE'],
        canceled: [status: 'COMPLETED', conclusion: 'CANCELED'],
    ]

    static void update(Object script, Map cfg, String state) {
        if (!GITHUB.containsKey(state)) {
            script.error("[mlsecops] unknown commit status '${state}'")
        }
        String name = (cfg.statusName ?: 'mlsecops') as String
        if (cfg.gitlabStatus) {
            script.updateGitlabCommitStatus(name: name, state: state)
        }
        if (cfg.githubStatus) {
            script.publishChecks([name: name, title: "mlsecops: ${state}".toString()] + GITHUB[state])
        }
    }

}
