package mlsecops.test

import mlsecops.harness.AbortException
import mlsecops.harness.PipelineHarness
import org.junit.Test

/**
 * Above jenkins.stashMaxMb a stage's folder travels through the worker's store
 * (`mlsecops handoff put/get`) and only its pointer goes through the controller's stash.
 */
class HandoffTest extends LibraryTestCase {

    static final String MODEL = 'm' * (2 * 1024 * 1024) // 2 MB

    /** A worker whose train writes a 2 MB model, and whose evaluate notes what it found. */
    Map<String, String> seenByEvaluate = null

    void worker() {
        h.onSh('--workspace .mlsecops train') { Map a ->
            h.files['.mlsecops/train/model.keras'] = MODEL
            h.files['.mlsecops/train/result.json'] = '{"status": "passed"}'
            0
        }
        h.onSh('--workspace .mlsecops evaluate') { Map a ->
            seenByEvaluate = h.files.findAll { k, v -> k.startsWith('.mlsecops/train/') }
            0
        }
    }

    @Test
    void 'a folder above the limit stashes only its pointer, and the next stage restores the folder'() {
        repoConfig('stashMaxMb: 1')
        worker()
        h.run('mlsecopsTrain')
        assert h.stashed['mlsecops-train'].keySet() == ['.mlsecops/.handoff/train.json'] as Set
        assert h.handoffStore['handoff/jenkins-team-model-7/train'].keySet() ==
            ['.mlsecops/train/model.keras', '.mlsecops/train/result.json'] as Set
        List<PipelineHarness.Call> handoffs = h.calls(PipelineHarness.HANDOFF_SH)
        assert handoffs*.arg('label') == ['mlsecops handoff size train', 'mlsecops handoff put train']
        assert handoffs[1].within('withCredentials') == false // no store credential enabled in this test
        // the producing agent keeps no pointer: a later build here never restores it
        assert !h.workspaces.values().any { it.containsKey('.mlsecops/.handoff/train.json') }

        h.run('mlsecopsEvaluate')
        assert seenByEvaluate['.mlsecops/train/model.keras'] == MODEL
        assert h.calls(PipelineHarness.HANDOFF_SH)*.arg('label').contains('mlsecops handoff get train')
        assert h.calls('unstash')*.arg('name').contains('mlsecops-train')
    }

    @Test
    void 'the store credentials the manifest gives handoff are bound around put and get only'() {
        repoConfig('stashMaxMb: 1\ncredentials:\n  AWS_ACCESS_KEY_ID: {enabled: true}')
        worker()
        h.run('mlsecopsTrain')
        PipelineHarness.Call put = h.calls(PipelineHarness.HANDOFF_SH).find { it.arg('label') == 'mlsecops handoff put train' }
        assert put.within('withCredentials')
        assert !h.call('sh').within('withCredentials') // train itself binds no store credential
    }

    @Test
    void 'by default a folder above 50 MB is handed off, one of 50 MB is stashed'() {
        worker()
        h.folderSizes['train'] = 50L * 1024 * 1024 + 1
        h.run('mlsecopsTrain')
        assert h.stashed['mlsecops-train'].keySet() == ['.mlsecops/.handoff/train.json'] as Set
        createHarness()
        worker()
        h.folderSizes['train'] = 50L * 1024 * 1024
        h.run('mlsecopsTrain')
        assert h.stashed['mlsecops-train'].containsKey('.mlsecops/train/model.keras')
    }

    @Test
    void 'a folder under the limit is stashed whole, and stashMaxMb 0 never asks for sizes'() {
        repoConfig('stashMaxMb: 50')
        worker()
        h.run('mlsecopsTrain')
        assert h.stashed['mlsecops-train'].keySet() == ['.mlsecops/train/model.keras', '.mlsecops/train/result.json'] as Set
        assert h.handoffStore.isEmpty()

        PipelineHarness other = h
        createHarness()
        repoConfig('stashMaxMb: 0')
        worker()
        h.run('mlsecopsTrain')
        assert h.calls(PipelineHarness.HANDOFF_SH) == []
        assert other.calls(PipelineHarness.HANDOFF_SH)*.arg('label') == ['mlsecops handoff size train'] // no put
    }

    @Test
    void 'a handed-off folder the store returns altered fails the step with the workers exit code'() {
        repoConfig('stashMaxMb: 1')
        worker()
        h.run('mlsecopsTrain')
        h.corruptHandoffs << 'handoff/jenkins-team-model-7/train'
        AbortException e = h.runExpectingError('mlsecopsEvaluate')
        assert e.message.contains('mlsecops handoff get train failed (exit 3)')
        assert seenByEvaluate == null // the stage's worker never ran on what did not arrive
        assert h.currentBuild.result == 'FAILURE'
    }

    @Test
    void 'the size the worker prints decides, and a line without one is refused'() {
        assert org.mlsecops.Worker.reportedBytes('{"folder": "train", "bytes": 52428801, "files": 3}') == 52428801L
        assert org.mlsecops.StashPlan.handOff([stashMaxMb: 50], 52428801L)
        assert !org.mlsecops.StashPlan.handOff([stashMaxMb: 50], 52428800L)
        assert !org.mlsecops.StashPlan.handOff([stashMaxMb: 0], Long.MAX_VALUE)
        try {
            org.mlsecops.Worker.reportedBytes('Traceback (most recent call last)')
            assert false: 'no size was accepted'
        } catch (IllegalStateException expected) {
            assert expected.message.contains('printed no size')
        }
    }

}
