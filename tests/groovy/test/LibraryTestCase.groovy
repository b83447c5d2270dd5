package mlsecops.test

import mlsecops.harness.PipelineHarness
import org.junit.Before

/** Base of the step tests: a fresh harness whose agent workspace holds a minimal mlsecops.yaml. */
abstract class LibraryTestCase {

    public static final String BASE = "--config mlsecops.yaml --workspace .mlsecops"

    PipelineHarness h

    @Before
    void createHarness() {
        h = new PipelineHarness()
        h.env.BRANCH_IS_PRIMARY = 'true' // multibranch, on the primary branch
        h.files['mlsecops.yaml'] = 'project:\n  name: demo\n'
    }

    /** Sets the `jenkins:` section of the repository's mlsecops.yaml. */
    void repoConfig(String jenkinsSection) {
        String indented = jenkinsSection.stripIndent().trim().readLines().collect { "  ${it}" }.join('\n')
        h.files['mlsecops.yaml'] = "project:\n  name: demo\njenkins:\n${indented}\n"
    }

    /** The worker writes its one-line message on stderr and exits with {@code code}. */
    void workerFails(String command, int code, String stderr = null, String log = null) {
        h.onSh(" ${command}") { Map args ->
            if (stderr != null) {
                String file = log ?: (args.script =~ /tee (\S+)/)[0][1]
                h.files[file.replace("'", '')] = stderr
            }
            return code
        }
    }

}
