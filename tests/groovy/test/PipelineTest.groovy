package mlsecops.test

import org.junit.Test

/** mlsecopsPipeline: the declarative pipeline's agent, options, triggers, stages and post. */
class PipelineTest extends LibraryTestCase {

    public static final List<String> STAGE_STEPS = ['mlsecopsLoad', 'mlsecopsScan', 'mlsecopsGate', 'mlsecopsTrain', 'mlsecopsEvaluate',
                                                    'mlsecopsModelTest', 'mlsecopsSign', 'mlsecopsStore', 'mlsecopsNotify', 'mlsecopsReport']

    /** Replaces the stage steps by recorders, to look at the pipeline alone. */
    void mockStageSteps(Map<String, Closure> behaviours = [:]) {
        STAGE_STEPS.each { h.mockStep(it, behaviours[it]) }
    }

    /** [stage name, step, its parameters] for every step call made inside a stage. */
    List<List> stageSteps() {
        return h.calls.findAll { it.name in STAGE_STEPS && it.within('stage') }.collect { call ->
            String stage = call.scope.find { it.startsWith('stage(') }
            [stage[6..-2], call.name, call.args ? call.args[0] : [:]]
        }
    }

    @Test
    void 'the pipeline runs without an agent of its own: each stage step allocates one'() {
        mockStageSteps()
        h.run('mlsecopsPipeline')
        assert h.call('agent').args == ['none']
    }

    @Test
    void 'options: timestamps, timeout, build discarder, no concurrent builds, GitLab connection'() {
        mockStageSteps()
        h.run('mlsecopsPipeline')
        assert h.calls.findAll { it.scope && it.scope.last() == 'options' && it.name != 'logRotator' }*.name ==
            ['timestamps', 'timeout', 'buildDiscarder', 'disableConcurrentBuilds', 'preserveStashes', 'gitLabConnection']
        assert h.call('disableConcurrentBuilds').args == [[abortPrevious: false]]
        assert h.call('preserveStashes').args == [[buildCount: 5]]
        assert h.call('timeout').args == [[time: 240, unit: 'MINUTES']]
        assert h.call('logRotator').args == [[numToKeepStr: '30']]
        assert h.call('gitLabConnection').args == ['gitlab']
    }

    @Test
    void 'triggers in one place: cron from config, GitLab push and merge request, GitHub push, upstream job'() {
        mockStageSteps()
        repoConfig('''
            cron: H 2 * * *
            upstreamProjects: data-refresh,base-model''')
        h.run('mlsecopsPipeline')
        List<String> triggers = h.calls.findAll { it.scope && it.scope.last() == 'triggers' }*.name
        assert triggers == ['cron', 'gitlab', 'githubPush', 'upstream']
        assert h.call('cron').args == ['H 2 * * *']
        assert h.call('gitlab').args == [[triggerOnPush: true, triggerOnMergeRequest: true, branchFilterType: 'All']]
        assert h.call('upstream').arg('upstreamProjects') == 'data-refresh,base-model'
        assert h.call('upstream').arg('threshold') == hudson.model.Result.SUCCESS
    }

    @Test
    void 'trigger settings come from the call too'() {
        mockStageSteps()
        h.run('mlsecopsPipeline', [cron: 'H H(0-5) * * 1-5', gitlabPush: false, timeoutMinutes: 60])
        assert h.call('cron').args == ['H H(0-5) * * 1-5']
        assert h.call('gitlab').arg('triggerOnPush') == false
        assert h.call('gitlab').arg('triggerOnMergeRequest') == true
        assert h.call('timeout').arg('time') == 60
    }

    @Test
    void 'without a schedule the cron trigger is empty'() {
        mockStageSteps()
        h.run('mlsecopsPipeline')
        assert h.call('cron').args == ['']
    }

    @Test
    void 'stages 2 to 10 in order, one step each, reports published once at the end'() {
        mockStageSteps()
        h.files['ml/mlsecops.yaml'] = h.files['mlsecops.yaml']
        h.run('mlsecopsPipeline', [configFile: 'ml/mlsecops.yaml', image: 'registry.example.com/mlsecops:1.4'])
        Map common = [configFile: 'ml/mlsecops.yaml', image: 'registry.example.com/mlsecops:1.4', repoConfig: [:], publish: false]
        assert stageSteps() == [
            ['Load', 'mlsecopsNotify', common + [event: 'started', commitStatus: true]],
            ['Load', 'mlsecopsLoad', common],
            ['Scan', 'mlsecopsScan', common],
            ['Security gate', 'mlsecopsGate', common + [gate: 'security']],
            ['Train', 'mlsecopsTrain', common],
            ['Evaluate', 'mlsecopsEvaluate', common],
            ['Model test', 'mlsecopsModelTest', common],
            ['Model gate', 'mlsecopsGate', common + [gate: 'model']],
            ['Sign', 'mlsecopsSign', common],
            ['Store', 'mlsecopsStore', common],
        ]
    }

    @Test
    void 'post always publishes the reports, then reports success to the merge request, then notifies'() {
        mockStageSteps()
        h.run('mlsecopsPipeline', [image: 'registry.example.com/mlsecops:1.4'])
        List post = h.calls.findAll { it.within('post') && (it.name in STAGE_STEPS || it.name == 'updateGitlabCommitStatus') }
        Map common = [image: 'registry.example.com/mlsecops:1.4', repoConfig: [:]]
        assert post.collect { [it.scope.find { s -> s.startsWith('post(') }, it.name, it.args] } == [
            ['post(always)', 'mlsecopsReport', [common]],
            ['post(success)', 'updateGitlabCommitStatus', [[name: 'mlsecops', state: 'success']]],
            ['post(success)', 'mlsecopsNotify', [common + [event: 'succeeded']]],
        ]
    }

    @Test
    void 'a notification that fails neither hides the result from the merge request nor fails the build'() {
        mockStageSteps(mlsecopsNotify: { Map p ->
            if (p.event == 'succeeded') {
                throw new mlsecops.harness.AbortException('slack unreachable')
            }
        })
        h.run('mlsecopsPipeline')
        assert h.call('updateGitlabCommitStatus').args == [[name: 'mlsecops', state: 'success']]
        assert h.currentBuild.result == null
        assert h.calls('echo')*.arg('message').contains("[mlsecopsPipeline] notification 'succeeded' failed: slack unreachable")
    }

    @Test
    void 'mlsecops yaml is read once per build, and no unstash fails'() {
        h.anyStashExists = false
        h.run('mlsecopsPipeline')
        assert h.calls('readTrusted').size() == 1
        assert h.failedUnstashes == 0
        assert h.currentBuild.result == null
    }

    @Test
    void 'a broken mlsecops yaml fails the first stage, and post still reports and notifies'() {
        h.files['mlsecops.yaml'] = 'jenkins: [unclosed\n'
        h.run('mlsecopsPipeline')
        assert h.calls('pipeline').size() == 1
        assert h.call('stageFailed').args[0] == 'Load'
        assert h.call('stageFailed').args[1].startsWith('[mlsecopsPipeline] mlsecops.yaml: ')
        assert h.call('updateGitlabCommitStatus').args == [[name: 'mlsecops', state: 'failed']]
        assert h.calls('mlsecopsNotify')*.arg('event') == ['error']
    }

    @Test
    void 'trustedConfig false is not silently ignored: the build fails saying why'() {
        h.run('mlsecopsPipeline', [trustedConfig: false])
        assert h.call('stageFailed').args[1].contains('trustedConfig is false')
        assert h.call('updateGitlabCommitStatus').args == [[name: 'mlsecops', state: 'failed']]
    }

    @Test
    void 'on a branch that is not the primary one there is no schedule and no upstream trigger'() {
        mockStageSteps()
        h.env.BRANCH_IS_PRIMARY = null
        h.env.BRANCH_NAME = 'feature/x'
        repoConfig('''
            cron: H 2 * * *
            upstreamProjects: data-refresh''')
        h.run('mlsecopsPipeline')
        assert h.call('cron').args == ['']
        assert h.call('upstream').arg('upstreamProjects') == ''
    }

    @Test
    void 'a merge request build aborts the previous build of the same merge request'() {
        mockStageSteps()
        h.env.CHANGE_ID = '42'
        h.run('mlsecopsPipeline')
        assert h.call('disableConcurrentBuilds').args == [[abortPrevious: true]]
    }

    @Test
    void 'a relayed build checks out exactly the commit of the event'() {
        h.params.MLSECOPS_COMMIT = '0123456789abcdef0123456789abcdef01234567'
        h.run('mlsecopsLoad')
        assert h.call('checkout').args[0].branches == [[name: '0123456789abcdef0123456789abcdef01234567']]
    }

    @Test
    void 'a failed gate stops the pipeline, and post notifies gate-failed and reports failed'() {
        mockStageSteps(mlsecopsGate: { Map p ->
            if (p.gate == 'security') {
                h.env.MLSECOPS_GATE_FAILED = 'true'
                h.currentBuild.result = 'FAILURE'
                throw new mlsecops.harness.AbortException('[mlsecopsGate] gate-security failed: 1 critical finding')
            }
        })
        h.run('mlsecopsPipeline')
        assert stageSteps()*.getAt(0).unique() == ['Load', 'Scan', 'Security gate']
        assert h.calls('stage').findAll { it.skipped }*.arg('name') == ['Redact', 'Train', 'Evaluate', 'Model test', 'Model gate', 'Sign', 'Store']
        assert h.calls('mlsecopsReport').size() == 1
        assert h.calls('mlsecopsNotify')*.arg('event') == ['started', 'gate-failed']
        assert h.call('updateGitlabCommitStatus').args == [[name: 'mlsecops', state: 'failed']]
        assert h.currentBuild.result == 'FAILURE'
    }

    @Test
    void 'a failure that is not a gate notifies error'() {
        mockStageSteps(mlsecopsTrain: { Map p ->
            h.currentBuild.result = 'FAILURE'
            throw new mlsecops.harness.AbortException('[mlsecopsTrain] mlsecops: train: CUDA out of memory')
        })
        h.run('mlsecopsPipeline')
        assert h.calls('mlsecopsNotify')*.arg('event') == ['started', 'error']
    }

    @Test
    void 'GitHub checks are published when configured'() {
        mockStageSteps()
        repoConfig('''
            githubStatus: true
            gitlabStatus: false''')
        h.run('mlsecopsPipeline')
        assert h.calls('updateGitlabCommitStatus').empty
        assert h.call('publishChecks').args == [[name: 'mlsecops', title: 'mlsecops: success', status: 'COMPLETED', conclusion: 'SUCCESS']]
    }

    @Test
    void 'status settings given to the pipeline reach the step that reports running'() {
        h.run('mlsecopsPipeline', [githubStatus: true, gitlabStatus: false])
        assert h.calls('publishChecks')*.arg('status') == ['IN_PROGRESS', 'COMPLETED']
        assert h.calls('updateGitlabCommitStatus').empty
    }

    @Test
    void 'the whole pipeline with the real steps: every unstash finds an earlier stash'() {
        h.anyStashExists = false
        h.run('mlsecopsPipeline', [image: 'registry.example.com/mlsecops:1.4'])
        assert h.currentBuild.result == null
        assert h.workerCommands() == [
            'notify --event started', 'load',
            'scan --only secrets', 'scan --only dataset', 'scan --only models',
            'gate --stage security', 'train', 'evaluate', 'modeltest', 'gate --stage model', 'sign', 'store',
            'report', 'notify --event succeeded',
        ].collect { "mlsecops ${BASE} ${it}".toString() }
        assert h.calls('docker.image').every { it.args == ['registry.example.com/mlsecops:1.4'] }
        // reports are published once, by the report step in post
        assert h.calls('archiveArtifacts').size() == 1
        assert h.call('archiveArtifacts').within('post(always)')
        // "running" is reported to the merge request after the first checkout
        assert h.calls('updateGitlabCommitStatus')*.arg('state') == ['running', 'success']
        assert h.calls.indexOf(h.calls('checkout')[0]) < h.calls.indexOf(h.calls('updateGitlabCommitStatus')[0])
    }

    @Test
    void 'the whole pipeline with the real steps stops at a failed security gate with its reason'() {
        workerFails('gate --stage security', 1)
        h.files['.mlsecops/gate-security/result.json'] = '{"reason": "critical secret in notebooks/explore.ipynb"}'
        h.run('mlsecopsPipeline')
        assert h.currentBuild.result == 'FAILURE'
        assert h.currentBuild.description == 'mlsecops gate-security: critical secret in notebooks/explore.ipynb'
        assert !h.workerCommands().any { it.endsWith(' train') || it.endsWith(' sign') || it.endsWith(' store') }
        assert h.workerCommands()[-2..-1] == ["mlsecops ${BASE} report".toString(), "mlsecops ${BASE} notify --event gate-failed".toString()]
    }

    @Test
    void 'the pipeline rejects unknown keys before declaring anything'() {
        assert h.runExpectingError('mlsecopsPipeline', [cronSchedule: 'H 2 * * *']).message.startsWith(
            '[mlsecopsPipeline] unknown key: cronSchedule (accepted: ')
        assert h.calls('pipeline').empty
    }

}
