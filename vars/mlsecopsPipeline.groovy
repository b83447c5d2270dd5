import org.mlsecops.CommitStatus
import org.mlsecops.Config
import org.mlsecops.StepParams

/**
 * The whole mlsecops pipeline in one call:
 *
 *     mlsecopsPipeline(configFile: 'mlsecops.yaml', image: 'registry.example.com/mlsecops/worker:1.4.0')
 *
 * Stages 2-10 (load, scan as parallel branches, security gate, train, evaluate, model test,
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
    Map cfg = Config.load(this, 'pipeline', params)
    Map common = Config.pick(params, StepParams.COMMON.keySet())
    Map stageParams = common + [publish: false] // published once, by mlsecopsReport in post
    Map statusParams = Config.pick(cfg, ['gitlabStatus', 'githubStatus', 'statusName'])
    // plain values for the declarative directives
    int timeoutMinutes = cfg.timeoutMinutes as int
    String buildsToKeep = String.valueOf(cfg.buildsToKeep)
    String gitlabConnection = cfg.gitlabConnection as String
    String cronSpec = (cfg.cron ?: '') as String
    boolean gitlabPush = cfg.gitlabPush as boolean
    boolean gitlabMergeRequest = cfg.gitlabMergeRequest as boolean
    String upstreamProjects = (cfg.upstreamProjects ?: '') as String

    pipeline {
        agent none // each stage step allocates its agent or pod (GPU for training)
        options {
            timestamps()
            timeout(time: timeoutMinutes, unit: 'MINUTES')
            buildDiscarder(logRotator(numToKeepStr: buildsToKeep))
            disableConcurrentBuilds()
            gitLabConnection(gitlabConnection)
        }
        triggers {
            cron(cronSpec) // '' = no schedule
            gitlab(triggerOnPush: gitlabPush, triggerOnMergeRequest: gitlabMergeRequest, branchFilterType: 'All')
            githubPush()
            upstream(upstreamProjects: upstreamProjects, threshold: hudson.model.Result.SUCCESS)
        }
        stages {
            stage('Load') {
                steps {
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
            success {
                mlsecopsNotify(common + [event: 'succeeded'])
                script {
                    CommitStatus.update(this, statusParams, 'success')
                }
            }
            unsuccessful {
                script {
                    mlsecopsNotify(common + [event: env.MLSECOPS_GATE_FAILED == 'true' ? 'gate-failed' : 'error'])
                    String state = currentBuild.currentResult == 'ABORTED' ? 'canceled' : 'failed'
                    CommitStatus.update(this, statusParams, state)
                }
            }
        }
    }
}
