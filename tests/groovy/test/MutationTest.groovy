package mlsecops.test

import org.junit.Test
import org.junit.runner.JUnitCore
import org.junit.runner.Request
import org.junit.runner.Result

/**
 * The suite catches each defect of issue 15 when it is reintroduced: the library's vars/,
 * resources/ and src/ sources are copied, one defect is put back into the copy, and the tests
 * that guard against it run on that copy (the harness loads vars/ and resources/ from
 * mlsecops.root; the sandbox check reads src/ from there). Each must fail.
 */
class MutationTest {

    static final File ROOT = new File(System.getProperty('mlsecops.root', '.')).canonicalFile

    /** [defect, file, text, replacement, test class, test method] */
    static final List<List> MUTATIONS = [
        ['2: store renders the reports from a partial workspace', 'resources/org/mlsecops/stages.yaml',
         'reads: [load, scan, gate-security, train, evaluate, modeltest, gate-model, sign]', 'reads: [train, sign, evaluate, gate-security, gate-model]',
         StepsTest, 'each step unstashes exactly the outputs of the stages it needs, before the worker runs'],
        ['3: modeltest compares against no evaluate result', 'resources/org/mlsecops/stages.yaml',
         'reads: [load, train, evaluate]', 'reads: [load, train]',
         StepsTest, 'each step unstashes exactly the outputs of the stages it needs, before the worker runs'],
        ['1: the pod cannot write the workspace', 'resources/org/mlsecops/defaults.yaml',
         'securityContext: {runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000}', 'securityContext: {}',
         WorkerTest, 'on Kubernetes a step runs in a pod template, on its POD_LABEL node, in the worker container'],
        ['5: notify before the commit status', 'vars/mlsecopsPipeline.groovy',
         "                    CommitStatus.update(this, statusParams, 'success')\n                    notifySafely(common + [event: 'succeeded'])",
         "                    notifySafely(common + [event: 'succeeded'])\n                    CommitStatus.update(this, statusParams, 'success')",
         PipelineTest, 'post always publishes the reports, then reports success to the merge request, then notifies'],
        ['5: a notify error turns the build red', 'vars/mlsecopsPipeline.groovy',
         "notifySafely(common + [event: 'succeeded'])", "mlsecopsNotify(common + [event: 'succeeded'])",
         PipelineTest, 'a notification that fails neither hides the result from the merge request nor fails the build'],
        ['6: no preserveStashes', 'vars/mlsecopsPipeline.groovy',
         '            preserveStashes(buildCount: stashBuilds) // "Restart from Stage" (train after a lost GPU node)\n', '',
         PipelineTest, 'options: timestamps, timeout, build discarder, no concurrent builds, GitLab connection'],
        ['7: triggers on every branch', 'vars/mlsecopsPipeline.groovy',
         "boolean primary = !env.BRANCH_NAME ||", 'boolean primary = true ||',
         PipelineTest, 'on a branch that is not the primary one there is no schedule and no upstream trigger'],
        ['9: config read by every step', 'vars/mlsecopsPipeline.groovy',
         '+ [repoConfig: cfg.repoConfig]', '',
         PipelineTest, 'mlsecops yaml is read once per build, and no unstash fails'],
        ['9: a YAML error fails the build without post', 'vars/mlsecopsPipeline.groovy',
         '    Map loaded = loadConfig(params)', "    Map loaded = [cfg: Config.load(this, 'pipeline', params), error: null]",
         PipelineTest, 'a broken mlsecops yaml fails the first stage, and post still reports and notifies'],
        ['10: a mutable default image', 'resources/org/mlsecops/defaults.yaml',
         'image: mlsecops/worker:0.1.0 ', 'image: mlsecops/worker:latest ',
         ReadYamlTest, 'the library resources parse'],
        ['10: a GPU agent gets the CPU image', 'resources/org/mlsecops/defaults.yaml',
         'gpuImageSuffix: -cuda ', "gpuImageSuffix: '' ",
         WorkerTest, 'training with gpu runs on the GPU label and passes the GPU to the container'],
        ['11: asImmutable(List) breaks the sandbox', 'src/org/mlsecops/Credentials.groovy',
         "['string', 'usernamePassword', 'file']", "['string', 'usernamePassword', 'file'].asImmutable()",
         SandboxTest, 'every Groovy extension method the library calls is on the sandbox whitelist'],
        ['8: a relayed build tests the branch head', 'vars/mlsecopsPipeline.groovy',
         "string(name: 'MLSECOPS_COMMIT'", "string(name: 'RELAY_COMMIT'",
         DeclarativeTest, 'the one-call pipeline declares the parameters the webhook relay fills'],
        ['CPS: a library class that is not Serializable', 'src/org/mlsecops/WorkerCommand.groovy',
         'class WorkerCommand implements Serializable {', 'class WorkerCommand {',
         CpsStateTest, 'every library class is Serializable and holds no field of a non-serializable type'],
        ['CPS: a Matcher kept in a step field', 'src/org/mlsecops/Worker.groovy',
         '    private final List<String> args\n', '    private final List<String> args\n    private java.util.regex.Matcher lastMatch\n',
         CpsStateTest, 'every library class is Serializable and holds no field of a non-serializable type'],
        ['4: large folders stashed through the controller', 'resources/org/mlsecops/defaults.yaml',
         'stashMaxMb: 50', 'stashMaxMb: 0',
         HandoffTest, 'by default a folder above 50 MB is handed off, one of 50 MB is stashed'],
        ['#14: the Redact stage never runs', 'vars/mlsecopsPipeline.groovy',
         'expression { redact }', 'expression { false }',
         RedactStageTest, 'with redact enabled the pipeline runs redact-dataset between the security gate and train, which reads its stash'],
    ]

    @Test
    void 'every reintroduced defect makes its guarding test fail'() {
        List<String> survivors = []
        MUTATIONS.each { String defect, String path, String text, String replacement, Class test, String method ->
            File copy = File.createTempDir('mlsecops-mutant', '')
            try {
                ['vars', 'resources', 'src', 'tests/groovy/fixtures'].each { String dir ->
                    copyTree(new File(ROOT, dir), new File(copy, dir))
                }
                File target = new File(copy, path)
                assert target.text.contains(text): "mutation '${defect}': '${text}' is not in ${path} any more"
                target.text = target.text.replace(text, replacement)
                Result result = runOn(copy, test, method)
                assert result.runCount == 1: "mutation '${defect}': no test ${test.simpleName}.${method}"
                if (result.wasSuccessful()) {
                    survivors << defect
                }
            } finally {
                copy.deleteDir()
            }
        }
        assert survivors == []
    }

    private static void copyTree(File from, File to) {
        to.mkdirs()
        from.eachFile { File f ->
            File dest = new File(to, f.name)
            if (f.directory) {
                copyTree(f, dest)
            } else {
                dest.bytes = f.bytes
            }
        }
    }

    private static Result runOn(File root, Class test, String method) {
        String saved = System.getProperty('mlsecops.root')
        System.setProperty('mlsecops.root', root.path)
        try {
            return new JUnitCore().run(Request.method(test, method))
        } finally {
            System.setProperty('mlsecops.root', saved ?: '.')
        }
    }

}
