package mlsecops.test

import org.junit.Test

/** The optional Redact stage: one switch, mlsecops.yaml's redact.enabled, for the worker and the pipeline. */
class RedactStageTest extends LibraryTestCase {

    @Test
    void 'with redact enabled the pipeline runs redact-dataset between the security gate and train, which reads its stash'() {
        h.files['mlsecops.yaml'] = 'project:\n  name: demo\nredact:\n  enabled: true\n  methods: {EMAIL_ADDRESS: hash}\n'
        h.run('mlsecopsPipeline')
        List<String> commands = h.workerCommands().collect { it.replace("mlsecops ${BASE} ".toString(), '') }
        int gate = commands.indexOf('gate --stage security')
        assert commands[gate + 1] == 'redact-dataset' && commands[gate + 2] == 'train'
        assert !h.calls('steps').find { it.within('stage(Redact)') }.skipped
        assert h.calls('unstash').findAll { it.within('stage(Train)') }*.arg('name') ==
            ['mlsecops-load', 'mlsecops-gate-security', 'mlsecops-redact']
    }

    @Test
    void 'without it the Redact stage is skipped and train unstashes no redact folder'() {
        h.run('mlsecopsPipeline')
        assert !h.workerCommands().any { it.contains('redact-dataset') }
        assert h.calls('steps').find { it.within('stage(Redact)') }.skipped
        assert h.calls('unstash').findAll { it.within('stage(Train)') }*.arg('name') == ['mlsecops-load', 'mlsecops-gate-security']
    }

    @Test
    void 'the step runs the stage command the manifest names'() {
        h.run('mlsecopsRedact')
        assert h.workerCommands() == ["mlsecops ${BASE} redact-dataset".toString()]
        assert h.calls('stash')*.arg('name') == ['mlsecops-redact']
    }

}
