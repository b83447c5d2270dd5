package mlsecops.test

import groovy.json.JsonSlurper
import org.junit.Test
import org.mlsecops.Worker

/**
 * mlsecopsWorker, the wrapper of every stage step: where the worker runs (Docker or
 * Kubernetes, GPU for training), how its exit code becomes the build result, and what is
 * published.
 */
class WorkerTest extends LibraryTestCase {

    // ---- placement -----------------------------------------------------------------

    @Test
    void 'off an agent, a step allocates one, checks out and runs the worker in docker image inside'() {
        h.run('mlsecopsTrain', [image: 'registry.example.com/mlsecops:1.4'])
        assert h.call('node').args == [] // any agent
        assert h.call('checkout').within('node')
        assert h.call('docker.inside').args == ['registry.example.com/mlsecops:1.4', '--entrypoint=']
        assert h.call('sh').scope == ['retry', 'node()', 'docker(registry.example.com/mlsecops:1.4)']
        assert h.calls.indexOf(h.call('checkout')) < h.calls.indexOf(h.call('sh'))
    }

    @Test
    void 'the node label comes from the configuration'() {
        repoConfig('label: docker-linux')
        h.run('mlsecopsLoad')
        assert h.call('node').args == ['docker-linux']
    }

    @Test
    void 'training with gpu runs on the GPU label and passes the GPU to the container'() {
        repoConfig('''
            stages:
              train:
                gpu: true''')
        h.run('mlsecopsTrain')
        assert h.call('node').args == ['gpu']
        assert h.call('docker.inside').args == ['mlsecops/worker:0.1.0-cuda', '--entrypoint= --gpus all']
        assert Worker.image([image: 'registry.example.com/mlsecops/worker:1.4.0-cu128', gpu: true, gpuImageSuffix: '-cuda']) ==
            'registry.example.com/mlsecops/worker:1.4.0-cu128' // already the CUDA variant
        assert Worker.image([image: 'r:5000/worker:1.4.0', gpu: true, gpuImage: 'r:5000/worker-gpu:1.4.0']) == 'r:5000/worker-gpu:1.4.0'
        assert Worker.image([image: 'r:5000/worker:1.4.0', gpu: false, gpuImageSuffix: '-cuda']) == 'r:5000/worker:1.4.0'
    }

    @Test
    void 'the gpu setting of the train stage does not move other stages'() {
        repoConfig('''
            stages:
              train:
                gpu: true''')
        h.run('mlsecopsEvaluate')
        assert h.call('node').args == []
        assert h.call('docker.inside').args == ['mlsecops/worker:0.1.0', '--entrypoint=']
    }

    @Test
    void 'on an agent already, a step runs there: no node, no checkout'() {
        h.env.NODE_NAME = 'team-agent'
        h.run('mlsecopsLoad')
        assert h.calls('node').empty
        assert h.calls('checkout').empty
        assert h.call('sh').scope == ['docker(mlsecops/worker:0.1.0)']
    }

    @Test
    void 'checkout false skips the checkout on an allocated agent'() {
        h.run('mlsecopsLoad', [checkout: false])
        assert h.calls('checkout').empty
    }

    @Test
    void 'on Kubernetes a step runs in a pod template, on its POD_LABEL node, in the worker container'() {
        repoConfig('''
            agent: kubernetes
            image: registry.example.com/mlsecops:1.4
            kubernetes:
              namespace: ml''')
        h.run('mlsecopsEvaluate')
        Map template = h.call('podTemplate').args[0] as Map
        assert template.cloud == 'kubernetes'
        assert template.namespace == 'ml'
        Map pod = new JsonSlurper().parseText(template.yaml as String) as Map
        assert pod.spec.containers == [[name     : 'mlsecops', image: 'registry.example.com/mlsecops:1.4',
                                        command  : ['sleep'], args: ['infinity'],
                                        resources: [requests: [cpu: '2', memory: '4Gi']],
                                        securityContext: [allowPrivilegeEscalation: false]]]
        // the jnlp container creates the workspace: one uid for the pod, fsGroup on its volumes
        assert pod.spec.securityContext == [runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true]
        assert h.call('node').args == ['mlsecops-pod-1']
        assert h.call('sh').scope == ['retry', 'podTemplate', 'node(mlsecops-pod-1)', 'container(mlsecops)']
        assert h.calls('docker.image').empty
        assert h.calls('unstash').every { it.scope == ['retry', 'podTemplate', 'node(mlsecops-pod-1)'] }
    }

    @Test
    void 'on Kubernetes, training with gpu requests the GPU and selects GPU nodes'() {
        repoConfig('''
            agent: kubernetes
            kubernetes:
              gpuNodeSelector: {accelerator: nvidia-tesla-t4}
            stages:
              train: {gpu: true}''')
        h.run('mlsecopsTrain')
        Map pod = new JsonSlurper().parseText(h.call('podTemplate').arg('yaml') as String) as Map
        assert pod.spec.containers[0].resources.limits == ['nvidia.com/gpu': 1]
        assert pod.spec.nodeSelector == [accelerator: 'nvidia-tesla-t4']
    }

    @Test
    void 'on Kubernetes inside a pod already, a step only enters the worker container'() {
        h.env.NODE_NAME = 'team-pod'
        h.run('mlsecopsLoad', [agent: 'kubernetes'])
        assert h.calls('podTemplate').empty
        assert h.call('sh').scope == ['container(mlsecops)']
    }

    @Test
    void 'an unknown agent type is an error'() {
        assert h.runExpectingError('mlsecopsLoad', [agent: 'vm']).message == "[mlsecopsLoad] agent must be 'docker' or 'kubernetes', not 'vm'"
    }

    @Test
    void 'commitStatus reports running right after the checkout'() {
        h.run('mlsecopsLoad', [commitStatus: true])
        assert h.call('updateGitlabCommitStatus').args == [[name: 'mlsecops', state: 'running']]
        assert h.calls.indexOf(h.call('checkout')) < h.calls.indexOf(h.call('updateGitlabCommitStatus'))
        assert h.calls.indexOf(h.call('updateGitlabCommitStatus')) < h.calls.indexOf(h.call('sh'))
    }

    // ---- exit code -> build result ---------------------------------------------------

    @Test
    void 'exit 0 leaves the build result alone'() {
        h.run('mlsecopsGate', [gate: 'security'])
        assert h.currentBuild.result == null
        assert h.currentBuild.description == null
    }

    @Test
    void 'exit 1 fails the build with the gate reason from result json in the build description'() {
        workerFails('gate --stage security', 1)
        h.files['.mlsecops/gate-security/result.json'] = '{"status": "failed", "reason": "2 high findings (secret) not waived"}'
        String message = h.runExpectingError('mlsecopsGate', [gate: 'security']).message
        assert message == '[mlsecopsGate] gate-security failed: 2 high findings (secret) not waived'
        assert h.currentBuild.result == 'FAILURE'
        assert h.currentBuild.description == 'mlsecops gate-security: 2 high findings (secret) not waived'
        assert h.env.MLSECOPS_GATE_FAILED == 'true'
        assert h.call('readJSON').args == [[file: '.mlsecops/gate-security/result.json']]
    }

    @Test
    void 'exit 1 of evaluate (a metric under its threshold) is reported the same way'() {
        workerFails('evaluate', 1)
        h.files['.mlsecops/evaluate/result.json'] = '{"reason": "f1 0.71 < threshold 0.80"}'
        h.runExpectingError('mlsecopsEvaluate')
        assert h.currentBuild.description == 'mlsecops evaluate: f1 0.71 < threshold 0.80'
    }

    @Test
    void 'exit 1 without a reason still fails, pointing at the reports'() {
        workerFails('gate --stage model', 1)
        assert h.runExpectingError('mlsecopsGate', [gate: 'model']).message ==
            '[mlsecopsGate] gate-model failed: no reason in .mlsecops/gate-model/result.json; see the mlsecops reports'
        assert h.currentBuild.result == 'FAILURE'
    }

    @Test
    void 'on a failed gate the outputs are stashed and the reports published before the build fails'() {
        workerFails('gate --stage security', 1)
        h.files['.mlsecops/reports/junit.xml'] = '<testsuites/>'
        h.runExpectingError('mlsecopsGate', [gate: 'security'])
        assert h.calls('stash')*.arg('name') == ['mlsecops-gate-security', 'mlsecops-reports']
        assert h.calls('junit').size() == 1
        assert h.calls.indexOf(h.call('junit')) < h.calls.indexOf(h.call('error'))
    }

    @Test
    void 'exit 2 fails the build with the worker one-line message from stderr'() {
        workerFails('load', 2, 'fetching 3 sources\nmlsecops: mlsecops.yaml: load.sources[1].url: scheme http is not allowed\n')
        assert h.runExpectingError('mlsecopsLoad').message ==
            '[mlsecopsLoad] mlsecops: mlsecops.yaml: load.sources[1].url: scheme http is not allowed'
        assert h.currentBuild.result == 'FAILURE'
        assert h.env.MLSECOPS_GATE_FAILED == null
        assert h.call('readFile').args == [[file: '.mlsecops/jenkins/mlsecops-load.stderr.log']]
    }

    @Test
    void 'exit 3 fails the build with the worker one-line message, even when other lines follow it'() {
        workerFails('store', 3, 'mlsecops: s3://models: unreachable after 5 attempts\nretry log closed\n')
        assert h.runExpectingError('mlsecopsStore').message == '[mlsecopsStore] mlsecops: s3://models: unreachable after 5 attempts'
        assert h.currentBuild.result == 'FAILURE'
    }

    @Test
    void 'exit 2 with no stderr says so'() {
        workerFails('train', 2)
        assert h.runExpectingError('mlsecopsTrain').message == '[mlsecopsTrain] worker exited with 2 (bad usage, configuration or input)'
    }

    @Test
    void 'any other exit code fails the build too'() {
        workerFails('train', 137)
        assert h.runExpectingError('mlsecopsTrain').message == '[mlsecopsTrain] worker exited with 137 (unexpected failure)'
        assert h.currentBuild.result == 'FAILURE'
    }

    @Test
    void 'a failed notification never fails the build'() {
        workerFails('notify', 3, 'mlsecops: slack: 503 Service Unavailable\n')
        h.run('mlsecopsNotify', [event: 'succeeded'])
        assert h.currentBuild.result == null
        assert h.call('echo').arg('message') ==
            '[mlsecopsNotify] worker exited with 3: mlsecops: slack: 503 Service Unavailable (ignored: failBuild is false)'
    }

    // ---- publishing ----------------------------------------------------------------

    @Test
    void 'reports are published: junit, SARIF through recordIssues, archived reports with ML-BOM and signature, summary html'() {
        ['junit.xml', 'findings.sarif', 'summary.html', 'ml-bom.cdx.json'].each { h.files[".mlsecops/reports/${it}".toString()] = '...' }
        h.run('mlsecopsSign')
        assert h.call('junit').args == [[testResults: '.mlsecops/reports/junit.xml', allowEmptyResults: true,
                                         skipMarkingBuildUnstable: true]]
        assert h.call('sarif').args == [[pattern: '.mlsecops/reports/findings.sarif']]
        Map issues = h.call('recordIssues').args[0] as Map
        assert issues.id == 'mlsecops-sign'
        assert issues.tools == [[tool: 'sarif', pattern: '.mlsecops/reports/findings.sarif']]
        assert h.call('archiveArtifacts').args == [[artifacts       : '.mlsecops/reports/**,.mlsecops/sign/model.sig',
                                                    allowEmptyArchive: true, fingerprint: true]]
        assert h.call('publishHTML').arg('target') == [reportDir  : '.mlsecops/reports', reportFiles: 'summary.html',
                                                       reportName : 'mlsecops summary', keepAll: true,
                                                       alwaysLinkToLastBuild: true, allowMissing: true]
        assert h.calls('junit').every { it.scope == ['retry', 'node()'] }
    }

    @Test
    void 'without the HTML Publisher plugin the summary is archived only'() {
        h.missingSteps << 'publishHTML'
        h.files['.mlsecops/reports/summary.html'] = '<html/>'
        h.run('mlsecopsReport')
        assert h.calls('echo')*.arg('message') == ['[mlsecops] HTML Publisher plugin not installed: summary.html is archived only']
        assert h.calls('archiveArtifacts').size() == 1
        assert h.currentBuild.result == null
    }

    @Test
    void 'publish false publishes nothing'() {
        h.files['.mlsecops/reports/junit.xml'] = '<testsuites/>'
        h.run('mlsecopsLoad', [publish: false])
        ['junit', 'recordIssues', 'archiveArtifacts', 'publishHTML'].each { assert h.calls(it).empty }
    }

    @Test
    void 'wrapper called directly requires a stage and a command'() {
        assert h.runExpectingError('mlsecopsWorker', [stage: 'load']).message == '[mlsecopsWorker] stage and command are required'
    }

}
