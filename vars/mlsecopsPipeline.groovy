import org.mlsecops.CommitStatus
import org.mlsecops.Config
import org.mlsecops.StepParams

/**
 * The whole mlsecops pipeline in one call:
 *
 *     mlsecopsPipeline(configFile: 'mlsecops.yaml', image: 'registry.example.com/mlsecops/worker:1.4.0')
 *
 * Stages 2-10 (load, scan as parallel branches, security gate, redact when enabled, train, evaluate, model test,
 * model gate, sign, store), each on an agent or pod of its own with the stage's stashes;
 * triggers, options and post (reports and notifications) in one place.
 * See mlsecopsPipeline.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [
        // build timeout in minutes (default 240)
        timeoutMinutes: null,
        // builds to keep (default 30)
        buildsToKeep: null,
        // cron schedule, e.g. 'H 2 * * *'; '' = none (default '')
        cron: null,
        // GitLab connection name for commit statuses (default 'gitlab')
        gitlabConnection: null,
        // a GitLab push starts a build (default true)
        gitlabPush: null,
        // a GitLab merge request (opened, updated) starts a build (default true)
        gitlabMergeRequest: null,
        // comma-separated upstream jobs whose success starts a build; '' = none (default '')
        upstreamProjects: null,
    ]
    StepParams.check(this, 'mlsecopsPipeline', params, defaults)
    // mlsecops.yaml is read here, once per build; every step gets the section read (repoConfig).
    // A file that cannot be read fails the first stage, so post still publishes, reports the
    // status and notifies: the pipeline itself is declared from the defaults and the call.
    Map loaded = loadConfig(params)
    Map cfg = loaded.cfg as Map
    String configError = loaded.error as String
    Map common = Config.pick(params, StepParams.COMMON.keySet()) + [repoConfig: cfg.repoConfig]
    Map stageParams = common + [publish: false] // published once, by mlsecopsReport in post
    Map statusParams = Config.pick(cfg, ['gitlabStatus', 'githubStatus', 'statusName'])
    // Multibranch: the schedule and the upstream trigger belong to the primary branch only,
    // or every branch would rebuild nightly and on each upstream build.
    boolean primary = !env.BRANCH_NAME || env.BRANCH_IS_PRIMARY == 'true' ||
        env.BRANCH_NAME == cfg.defaultBranch
    // a merge request's new push makes its running build pointless: abort that one
    boolean changeRequest = (env.CHANGE_ID || env.gitlabMergeRequestIid) as boolean
    // plain values for the declarative directives
    int timeoutMinutes = cfg.timeoutMinutes as int
    String buildsToKeep = String.valueOf(cfg.buildsToKeep)
    String gitlabConnection = cfg.gitlabConnection as String
    String cronSpec = primary ? (cfg.cron ?: '') as String : ''
    boolean gitlabPush = cfg.gitlabPush as boolean
    boolean gitlabMergeRequest = cfg.gitlabMergeRequest as boolean
    String upstreamProjects = primary ? (cfg.upstreamProjects ?: '') as String : ''
    int stashBuilds = (cfg.preserveStashes ?: 5) as int
    boolean redact = cfg.redact as boolean // mlsecops.yaml's redact.enabled

    pipeline {
        agent none // each stage step allocates its agent or pod (GPU for training)
        parameters {
            // filled by `mlsecops webhook serve`: the build checks out exactly MLSECOPS_COMMIT
            string(name: 'MLSECOPS_COMMIT', defaultValue: '', description: 'commit to build (webhook relay)')
            string(name: 'MLSECOPS_BRANCH', defaultValue: '', description: 'branch of the event (webhook relay)')
            string(name: 'MLSECOPS_EVENT', defaultValue: '', description: 'event of the build (webhook relay)')
        }
        options {
            timestamps()
            timeout(time: timeoutMinutes, unit: 'MINUTES')
            buildDiscarder(logRotator(numToKeepStr: buildsToKeep))
            disableConcurrentBuilds(abortPrevious: changeRequest)
            preserveStashes(buildCount: stashBuilds) // "Restart from Stage" (train after a lost GPU node)
            gitLabConnection(gitlabConnection)
        }
        triggers {
            cron(cronSpec) // '' = no schedule (and on a branch that is not the primary one)
            gitlab(triggerOnPush: gitlabPush, triggerOnMergeRequest: gitlabMergeRequest, branchFilterType: 'All')
            githubPush()
            upstream(upstreamProjects: upstreamProjects, threshold: hudson.model.Result.SUCCESS)
        }
        stages {
            stage('Load') {
                steps {
                    script {
                        if (configError) {
                            error(configError)
                        }
                    }
                    // the first checkout reports "running" to the merge request
                    mlsecopsNotify(stageParams + [event: 'started', commitStatus: true])
                    mlsecopsLoad(stageParams)
                }
            }
            stage('Scan') {
                steps {
                    mlsecopsScan(stageParams) // one parallel branch per scanner
                }
            }
            stage('Security gate') {
                steps {
                    mlsecopsGate(stageParams + [gate: 'security'])
                }
            }
            stage('Redact') {
                when {
                    expression { redact }
                }
                steps {
                    mlsecopsRedact(stageParams) // train.dataset with its PII replaced, for train
                }
            }
            stage('Train') {
                steps {
                    mlsecopsTrain(stageParams)
                }
            }
            stage('Evaluate') {
                steps {
                    mlsecopsEvaluate(stageParams)
                }
            }
            stage('Model test') {
                steps {
                    mlsecopsModelTest(stageParams)
                }
            }
            stage('Model gate') {
                steps {
                    mlsecopsGate(stageParams + [gate: 'model'])
                }
            }
            stage('Sign') {
                steps {
                    mlsecopsSign(stageParams)
                }
            }
            stage('Store') {
                steps {
                    mlsecopsStore(stageParams)
                }
            }
        }
        post {
            always {
                mlsecopsReport(common)
            }
            // the merge request learns the result first: a notification that fails cannot
            // leave it "running" or turn the build red
            success {
                script {
                    CommitStatus.update(this, statusParams, 'success')
                    notifySafely(common + [event: 'succeeded'])
                }
            }
            unsuccessful {
                script {
                    String state = currentBuild.currentResult == 'ABORTED' ? 'canceled' : 'failed'
                    CommitStatus.update(this, statusParams, state)
                    notifySafely(common + [event: env.MLSECOPS_GATE_FAILED == 'true' ? 'gate-failed' : 'error'])
                }
            }
        }
    }
}

/** [cfg: the pipeline's configuration, error: why mlsecops.yaml could not be read, or null]. */
@SuppressWarnings('CatchException') // readYaml throws the YAML parser's own exceptions
private Map loadConfig(Map params) {
    try {
        return [cfg: Config.load(this, 'pipeline', params), error: null]
    } catch (InterruptedException e) {
        throw e
    } catch (Exception e) { // AbortException from readTrusted/error, a YAML parser exception from readYaml
        String file = (params.configFile ?: 'mlsecops.yaml') as String
        String message = "[mlsecopsPipeline] ${file}: ${e.message}"
        echo message
        return [cfg: Config.load(this, 'pipeline', params + [repoConfig: [:]]), error: message]
    }
}

/** A notification never fails the build nor hides its result: its own failure is logged. */
@SuppressWarnings('CatchException') // whatever a notification throws (docker, agent, worker) is logged only
private void notifySafely(Map params) {
    try {
        mlsecopsNotify(params)
    } catch (InterruptedException e) {
        throw e
    } catch (Exception e) {
        echo "[mlsecopsPipeline] notification '${params.event}' failed: ${e.message}"
    }
}
