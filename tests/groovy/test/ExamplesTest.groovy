package mlsecops.test

import org.junit.Test

/** The shipped Jenkinsfiles run against the library as they are. */
class ExamplesTest extends LibraryTestCase {

    @Test
    void 'Jenkinsfile example calls the one-call pipeline with its triggers'() {
        h.runJenkinsfile('Jenkinsfile.example')
        Map args = h.call('mlsecopsPipeline').args[0] as Map
        assert args.configFile == 'mlsecops.yaml'
        assert args.image == 'registry.example.com/mlsecops/worker:1.4.0'
        assert h.call('cron').args == ['H 2 * * *']
        assert h.call('gitlab').args == [[triggerOnPush: true, triggerOnMergeRequest: true, branchFilterType: 'All']]
        assert h.call('upstream').arg('upstreamProjects') == 'data/dataset-refresh'
        assert h.call('timeout').arg('time') == 180
        assert h.currentBuild.result == null
        assert h.workerCommands().size() == 14  // notify, load, 3 scanners, 2 gates, 5 stages, report, notify
    }

    @Test
    void 'custom Jenkinsfile composes the steps in its own stages, training on the GPU agent'() {
        h.files['ml/mlsecops.yaml'] = h.files['mlsecops.yaml']
        h.anyStashExists = false
        h.runJenkinsfile('resources/org/mlsecops/examples/custom.Jenkinsfile')
        assert h.currentBuild.result == null
        String base = '--config ml/mlsecops.yaml --workspace .mlsecops'
        assert h.workerCommands() == [
            'load', 'scan --only secrets', 'scan --only dataset', 'scan --only models', 'scan --only bandit',
            'scan --only dependencies',
            'gate --stage security', 'train', 'evaluate', 'modeltest', 'gate --stage model', 'sign', 'store',
            'report', 'notify --event succeeded',
        ].collect { "mlsecops ${base} ${it}".toString() }
        assert h.shScripts()[0] == 'make test'
        // on the pipeline's agent the steps allocate no node of their own; only the parallel scan
        // branches check out again, each into a workspace of its own
        assert h.calls('node')*.args == [['docker'], ['gpu'], ['docker'], ['docker']]
        assert h.calls('checkout').every { it.within('ws') }
        assert h.calls('ws')*.args*.getAt(0).unique().size() == 5
        assert h.calls('docker.inside').find { it.within('stage(Train)') }.args ==
            ['registry.example.com/mlsecops/worker:1.4.0-cuda', '--entrypoint= --gpus all']
        assert h.calls('archiveArtifacts').size() == 1
    }

    @Test
    void 'custom Jenkinsfile releases only from main'() {
        h.files['ml/mlsecops.yaml'] = h.files['mlsecops.yaml']
        h.env.BRANCH_NAME = 'feature/new-tokenizer'
        h.runJenkinsfile('resources/org/mlsecops/examples/custom.Jenkinsfile')
        assert !h.workerCommands().any { it.endsWith(' sign') || it.endsWith(' store') }
        assert h.call('cron').args == ['']
    }

}
