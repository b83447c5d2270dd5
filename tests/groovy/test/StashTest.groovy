package mlsecops.test

import mlsecops.harness.Globs
import org.junit.Test

/**
 * Each agent has a workspace of its own and stash/unstash carry exactly the files their globs
 * match: what a stage's worker sees is the checkout plus what its manifest entry unstashed.
 */
class StashTest extends LibraryTestCase {

    /** stage -> the workspace folders its worker saw */
    Map<String, Set<String>> seen = [:]

    /** A worker that writes its stage's result (and sign its local key) and notes what it saw. */
    void recordingWorker() {
        h.onSh('--workspace .mlsecops ') { Map args ->
            List<String> words = ((args.script as String) =~ /--workspace \.mlsecops ([^;]*);/)[0][1].tokenize(' ')
            String stage = words[0] == 'gate' ? "gate-${words[2]}" : words[0]
            String folder = stage == 'scan' && words[1] == '--only' ? "scan/${words[2]}" : stage
            seen[words.join(' ')] = h.files.keySet().findAll { it.startsWith('.mlsecops/') }
                .collect { it.split('/')[1] }.toSet()
            if (stage != 'report') {
                h.files[".mlsecops/${folder}/result.json".toString()] = '{"status": "passed"}'
            }
            if (stage == 'sign') {
                h.files['.mlsecops/sign/local-key/private-key.pem'] = 'a key that must stay on its agent'
            }
            if (words[0] in ['gate', 'store', 'report']) {
                h.files['.mlsecops/reports/summary.md'] = "rendered by ${stage}".toString()
            }
            return 0
        }
    }

    @Test
    void 'every stage of the one-call pipeline sees exactly its declared inputs, on an agent of its own'() {
        recordingWorker()
        h.anyStashExists = false
        h.run('mlsecopsPipeline')
        assert h.currentBuild.result == null
        assert seen['train'] == ['load', 'gate-security'] as Set
        assert seen['modeltest'] == ['load', 'train', 'evaluate'] as Set
        assert seen['sign'] == ['train', 'gate-security', 'gate-model'] as Set
        assert seen['store'] == ['load', 'scan', 'gate-security', 'train', 'evaluate', 'modeltest', 'gate-model', 'sign'] as Set
        assert seen['scan --only secrets'] == ['load'] as Set
        assert h.workspaces.size() == h.calls('node').size() // one workspace per agent
    }

    @Test
    void 'a locally generated key is excluded from the stash, so no later agent ever has it'() {
        recordingWorker()
        h.run('mlsecopsPipeline')
        assert h.stashed['mlsecops-sign'].keySet() == ['.mlsecops/sign/result.json'] as Set
        List<Map> later = h.workspaces.values().findAll { !it.containsKey('.mlsecops/sign/local-key/private-key.pem') } as List
        assert later.size() == h.workspaces.size() - 1 // only the signing agent's workspace has the key
    }

    @Test
    void 'globs match as Ant patterns do'() {
        assert Globs.matches('.mlsecops/scan/**', '.mlsecops/scan/secrets/result.json')
        assert !Globs.matches('.mlsecops/scan/**', '.mlsecops/scanner/result.json')
        assert Globs.matches('a/*.json', 'a/b.json') && !Globs.matches('a/*.json', 'a/b/c.json')
        assert Globs.matches('x/**, .mlsecops/sign/local-key/**', '.mlsecops/sign/local-key/k.pem')
        assert Globs.matches('**/result.json', 'result.json') && Globs.matches('**/result.json', 'a/b/result.json')
    }

}
