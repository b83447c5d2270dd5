package mlsecops.test

import org.junit.Test

/**
 * Every stage step: the exact worker command, the stashes it unstashes (its inputs) and the
 * stashes it makes (exactly its outputs). The tables are the specification of the stash plan.
 */
class StepsTest extends LibraryTestCase {

    public static final List<String> ALL_SCANNERS = ['secrets', 'dataset', 'models']
    public static final List<String> SCAN_STASHES = ALL_SCANNERS.collect { "mlsecops-scan-${it}".toString() }
    public static final List REPORTS = ['mlsecops-reports', '.mlsecops/reports/**']

    public static final List<String> EVERY_STASH = ['mlsecops-load'] + SCAN_STASHES + ['mlsecops-gate-security', 'mlsecops-reports',
        'mlsecops-train', 'mlsecops-evaluate', 'mlsecops-modeltest', 'mlsecops-gate-model', 'mlsecops-sign', 'mlsecops-store',
        'mlsecops-notify']

    /**
     * step, parameters, worker command after the global options, unstashed names, stashes [name, includes].
     * (The stage manifest, stages.yaml, is what the library derives this from; the table is its specification.)
     */
    public static final List<List> PLAN = [
        ['mlsecopsLoad', [:], 'load',
         [],
         [['mlsecops-load', '.mlsecops/load/**']]],
        ['mlsecopsGate', [gate: 'security'], 'gate --stage security',
         ['mlsecops-load'] + SCAN_STASHES,
         [['mlsecops-gate-security', '.mlsecops/gate-security/**'], REPORTS]],
        ['mlsecopsTrain', [:], 'train',
         ['mlsecops-load', 'mlsecops-gate-security'], // train refuses without the passed security gate
         [['mlsecops-train', '.mlsecops/train/**']]],
        ['mlsecopsEvaluate', [:], 'evaluate',
         ['mlsecops-load', 'mlsecops-train'],
         [['mlsecops-evaluate', '.mlsecops/evaluate/**']]],
        ['mlsecopsModelTest', [:], 'modeltest',
         ['mlsecops-load', 'mlsecops-train', 'mlsecops-evaluate'], // the metric-regression check reads evaluate
         [['mlsecops-modeltest', '.mlsecops/modeltest/**']]],
        ['mlsecopsGate', [gate: 'model'], 'gate --stage model',
         ['mlsecops-load'] + SCAN_STASHES + ['mlsecops-gate-security', 'mlsecops-train', 'mlsecops-evaluate', 'mlsecops-modeltest'],
         [['mlsecops-gate-model', '.mlsecops/gate-model/**'], REPORTS]],
        ['mlsecopsSign', [:], 'sign',
         ['mlsecops-train', 'mlsecops-gate-security', 'mlsecops-gate-model'],
         [['mlsecops-sign', '.mlsecops/sign/**']]],
        ['mlsecopsStore', [:], 'store',
         // every stage result: the released reports and ML-BOM are rendered from all of them
         ['mlsecops-load'] + SCAN_STASHES + ['mlsecops-gate-security', 'mlsecops-train', 'mlsecops-evaluate', 'mlsecops-modeltest',
                                             'mlsecops-gate-model', 'mlsecops-sign'],
         [['mlsecops-store', '.mlsecops/store/**'], REPORTS]],
        ['mlsecopsStore', [force: true], 'store --force',
         ['mlsecops-load'] + SCAN_STASHES + ['mlsecops-gate-security', 'mlsecops-train', 'mlsecops-evaluate', 'mlsecops-modeltest',
                                             'mlsecops-gate-model', 'mlsecops-sign'],
         [['mlsecops-store', '.mlsecops/store/**'], REPORTS]],
        ['mlsecopsNotify', [event: 'gate-failed'], 'notify --event gate-failed',
         [], // optional inputs: only what this build stashed (nothing yet)
         [['mlsecops-notify', '.mlsecops/notify/**']]],
        ['mlsecopsReport', [:], 'report',
         [],
         [REPORTS]],
    ]

    @Test
    void 'each step runs its exact worker command'() {
        PLAN.each { String step, Map params, String command, List inputs, List outputs ->
            createHarness()
            h.run(step, params)
            assert h.workerCommands() == ["mlsecops ${BASE} ${command}".toString()]: step
        }
    }

    @Test
    void 'each step unstashes exactly the outputs of the stages it needs, before the worker runs'() {
        PLAN.each { String step, Map params, String command, List inputs, List outputs ->
            createHarness()
            h.run(step, params)
            assert h.calls('unstash')*.arg('name') == inputs: step
            int worker = h.calls.indexOf(h.call('sh'))
            assert h.calls('unstash').every { h.calls.indexOf(it) < worker }: step
        }
    }

    @Test
    void 'each step stashes exactly its own workspace folder and the reports, after the worker ran'() {
        PLAN.each { String step, Map params, String command, List inputs, List outputs ->
            createHarness()
            h.run(step, params)
            assert h.calls('stash').collect { [it.arg('name'), it.arg('includes')] } == outputs: step
            assert h.calls('stash').every { it.arg('allowEmpty') == true }: step
            int worker = h.calls.indexOf(h.call('sh'))
            assert h.calls('stash').every { h.calls.indexOf(it) > worker }: step
        }
    }

    @Test
    void 'a locally generated signing key never leaves the agent in a stash'() {
        h.run('mlsecopsSign')
        Map sign = h.calls('stash').find { it.arg('name') == 'mlsecops-sign' }.args[0]
        assert sign.includes == '.mlsecops/sign/**'
        assert sign.excludes == '.mlsecops/sign/local-key/**'
        assert h.calls('stash').findAll { it.arg('name') != 'mlsecops-sign' }.every { !it.args[0].excludes }
    }

    @Test
    void 'the unstash and stash calls happen on the agent, the worker inside the container'() {
        h.run('mlsecopsEvaluate')
        assert h.calls('unstash').every { it.within('node') && !it.within('docker') }
        assert h.calls('stash').every { it.within('node') && !it.within('docker') }
        assert h.call('sh').scope == ['retry', 'node()', 'docker(mlsecops/worker:0.1.0)']
    }

    @Test
    void 'the worker sees the configured config file and workspace, quoted for the shell'() {
        h.files["team's config.yaml"] = h.files['mlsecops.yaml']
        h.run('mlsecopsTrain', [configFile: "team's config.yaml", workspace: 'build/ws'])
        assert h.workerCommands() == ["mlsecops --config 'team'\"'\"'s config.yaml' --workspace build/ws train"]
        assert h.calls('stash')*.arg('includes') == ['build/ws/train/**']
        assert h.call('readTrusted').arg('path') == "team's config.yaml"
    }

    @Test
    void 'the worker script captures stderr to show it and to read the one-line message, and keeps the exit code'() {
        h.run('mlsecopsLoad')
        assert h.call('sh').args == [[
            label       : 'mlsecops load',
            returnStatus: true,
            script      : '''\
                mkdir -p .mlsecops/jenkins
                echo 3 > .mlsecops/jenkins/mlsecops-load.stderr.log.rc
                { { mlsecops --config mlsecops.yaml --workspace .mlsecops load; echo $? > .mlsecops/jenkins/mlsecops-load.stderr.log.rc; } 2>&1 1>&3 3>&- | tee .mlsecops/jenkins/mlsecops-load.stderr.log 1>&2 3>&-; } 3>&1
                rc=$(cat .mlsecops/jenkins/mlsecops-load.stderr.log.rc)
                exit "$rc"'''.stripIndent(),
        ]]
    }

    @Test
    void 'gate accepts only the security and model gates'() {
        assert h.runExpectingError('mlsecopsGate', [gate: 'train']).message ==
            "[mlsecopsGate] gate must be 'security' or 'model', not 'train'"
        assert h.calls('sh').empty
    }

    @Test
    void 'notify accepts only the events the worker knows'() {
        ['started', 'gate-failed', 'succeeded', 'error'].each { event ->
            createHarness()
            h.run('mlsecopsNotify', [event: event])
            assert h.workerCommands() == ["mlsecops ${BASE} notify --event ${event}".toString()]
        }
        assert h.runExpectingError('mlsecopsNotify', [event: 'done']).message ==
            "[mlsecopsNotify] event must be one of started, gate-failed, succeeded, error, not 'done'"
        // `finished` is the worker's own event (events.yaml: step: false): the step refuses it
        createHarness()
        assert h.runExpectingError('mlsecopsNotify', [event: 'finished']).message.endsWith("not 'finished'")
    }

    @Test
    void 'notify without an event reports success'() {
        h.run('mlsecopsNotify')
        assert h.workerCommands() == ["mlsecops ${BASE} notify --event succeeded".toString()]
    }

    @Test
    void 'steps forward their placement parameters to the wrapper and add their stage and command'() {
        h.run('mlsecopsSign', [image: 'registry.example.com/mlsecops:2', label: 'linux'])
        assert h.call('mlsecopsWorker').args == [[image  : 'registry.example.com/mlsecops:2', label: 'linux',
                                                  step   : 'mlsecopsSign', stage: 'sign', command: ['sign']]]
        assert h.call('node').args == ['linux']
        assert h.call('docker.image').args == ['registry.example.com/mlsecops:2']
    }

    @Test
    void 'a missing input stash fails the step with what to run first'() {
        h.anyStashExists = false
        h.stashes << 'mlsecops-load'
        String message = h.runExpectingError('mlsecopsEvaluate').message
        assert message.startsWith("[mlsecopsEvaluate] missing input stash 'mlsecops-train'")
        assert message.contains('run the earlier stage first')
        assert h.calls('sh').empty
    }

    @Test
    void 'report and notify unstash only what this build stashed: no unstash fails'() {
        h.anyStashExists = false
        h.stashes.addAll(['mlsecops-load', 'mlsecops-reports'])
        h.env.MLSECOPS_STASHES = 'mlsecops-load,mlsecops-reports'
        h.run('mlsecopsReport')
        assert h.workerCommands() == ["mlsecops ${BASE} report".toString()]
        assert h.calls('unstash')*.arg('name') == ['mlsecops-load', 'mlsecops-reports']
        assert h.failedUnstashes == 0
        assert h.call('echo').arg('message') == '[mlsecopsReport] not stashed in this build, those stages did not run: ' +
            'mlsecops-scan-secrets, mlsecops-scan-dataset, mlsecops-scan-models, mlsecops-gate-security, mlsecops-redact, mlsecops-train, ' +
            'mlsecops-evaluate, mlsecops-modeltest, mlsecops-gate-model, mlsecops-sign, mlsecops-store, mlsecops-notify'
    }

    @Test
    void 'with everything stashed, notify unstashes every folder in pipeline order'() {
        h.env.MLSECOPS_STASHES = EVERY_STASH.join(',')
        h.run('mlsecopsNotify')
        assert h.calls('unstash')*.arg('name') == EVERY_STASH
    }

    @Test
    void 'every stash a step makes is recorded for the later steps of the build'() {
        h.run('mlsecopsGate', [gate: 'security'])
        assert h.env.MLSECOPS_STASHES == 'mlsecops-gate-security,mlsecops-reports'
    }

    @Test
    void 'with stash false all stages share one workspace: nothing is stashed or unstashed'() {
        h.run('mlsecopsStore', [stash: false])
        assert h.calls('stash').empty
        assert h.calls('unstash').empty
        assert h.workerCommands() == ["mlsecops ${BASE} store".toString()]
    }

}
