package mlsecops.test

import org.junit.Test

/** Conventions every step and class of the library follows. */
class ConventionTest extends LibraryTestCase {

    public static final List<String> FORBIDDEN = [
        /new\s+File\b/,           // the controller's file system, not the agent's workspace
        /Jenkins\s*\.\s*(instance|get(Instance)?\s*\()/, // internal API, needs script approval
        /@Grab\b/,                // downloads at run time
        /System\s*\.\s*(exit|getenv)/,
        /Thread\s*\.\s*sleep/,    // blocks the CPS thread; use the sleep step
        /\.execute\s*\(\s*\)/,    // runs processes on the controller
    ]

    List<File> varsScripts() {
        return new File(h.root, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.sort { it.name }
    }

    List<File> srcClasses() {
        List<File> files = []
        new File(h.root, 'src').eachFileRecurse { if (it.name.endsWith('.groovy')) { files << it } }
        return files.sort { it.name }
    }

    @Test
    void 'there is one step per stage, plus the pipeline, the wrapper and the report step'() {
        assert h.libraryStepNames() == ['mlsecopsEvaluate', 'mlsecopsGate', 'mlsecopsLoad', 'mlsecopsModelTest', 'mlsecopsNotify',
                                        'mlsecopsPipeline', 'mlsecopsRedact', 'mlsecopsReport', 'mlsecopsScan', 'mlsecopsSign', 'mlsecopsStore',
                                        'mlsecopsTrain', 'mlsecopsWorker']
    }

    @Test
    void 'every step is void call(Map params) defaulting to an empty map, and nothing else named call'() {
        varsScripts().each { File file ->
            String text = file.text
            assert (text =~ /(?m)^void call\(Map params = \[:\]\) \{$/).count == 1: file.name
            assert (text =~ /\bcall\s*\(/).count == 1: "${file.name} has another call(...)"
        }
    }

    @Test
    void 'every step has a commented defaults map and checks its parameters under its own name'() {
        varsScripts().each { File file ->
            String name = file.name - '.groovy'
            String text = file.text
            assert text.contains('Map defaults = StepParams.COMMON + ['): file.name
            assert text.contains("StepParams.check(this, '${name}', params, defaults)"): file.name
            int map = text.indexOf('Map defaults = ')
            int check = text.indexOf('StepParams.check(')
            assert map < check
            String body = text.substring(map, check)
            assert body.contains('//'): "${file.name}: the defaults map has no comments"
        }
    }

    @Test
    void 'every step rejects an unknown key with an error naming the step and the key'() {
        h.libraryStepNames().each { String step ->
            createHarness()
            String message = h.runExpectingError(step, [noSuchKey: true, another: 1]).message
            assert message.startsWith("[${step}] unknown key: another, noSuchKey (accepted: ".toString()): message
            assert h.calls('sh').empty: step
        }
    }

    @Test
    void 'every step accepts every common key'() {
        Map allCommon = org.mlsecops.StepParams.COMMON.collectEntries { k, v -> [(k): null] }
        assert allCommon.keySet().containsAll(['configFile', 'workspace', 'image', 'agent', 'label', 'publish', 'stash'])
        h.libraryStepNames().each { String step ->
            createHarness()
            PipelineTest.STAGE_STEPS.findAll { it != step && step == 'mlsecopsPipeline' }.each { h.mockStep(it) }
            Map extra = step == 'mlsecopsWorker' ? [stage: 'train', command: ['train']] : [:]
            h.run(step, allCommon + extra)
            assert h.currentBuild.result == null: step
        }
    }

    @Test
    void 'every step has a help text that names it and its parameters'() {
        varsScripts().each { File file ->
            String name = file.name - '.groovy'
            File help = new File(file.parentFile, "${name}.txt")
            assert help.file: "vars/${name}.txt is missing"
            String text = help.text
            assert text.contains(name): help.name
            (file.text =~ /(?m)^\s{8}(\w+): /).collect { it[1] }.each { key ->
                assert text.contains(key): "${help.name} does not document ${key}"
            }
        }
    }

    @Test
    void 'no step or class uses APIs that break the sandbox, CPS or agents'() {
        (varsScripts() + srcClasses()).each { File file ->
            String code = file.text.readLines().findAll { !it.trim().startsWith('//') && !it.trim().startsWith('*') }.join('\n')
            FORBIDDEN.each { pattern -> assert !(code =~ pattern): "${file.name} uses ${pattern}" }
        }
    }

    @Test
    void 'every class is Serializable'() {
        srcClasses().each { File file ->
            assert file.text =~ /(?m)^class \w+ implements Serializable \{/: file.name
        }
    }

    @Test
    void 'NonCPS methods call no steps'() {
        List<String> steps = ['sh', 'echo', 'error', 'stash', 'unstash', 'readYaml', 'readJSON', 'readFile', 'writeFile', 'fileExists',
                              'libraryResource', 'readTrusted', 'node', 'docker', 'podTemplate', 'container', 'withCredentials',
                              'withVault', 'withEnv', 'junit', 'recordIssues', 'archiveArtifacts', 'publishHTML', 'checkout',
                              'parallel', 'mlsecopsWorker']
        int methods = 0
        (varsScripts() + srcClasses()).each { File file ->
            String text = file.text
            (text =~ /@NonCPS\s+[^{]*\{/).each { String header ->
                int start = text.indexOf(header) + header.length()
                int depth = 1
                int i = start
                while (depth > 0) {
                    char c = text.charAt(i++)
                    depth += c == '{' as char ? 1 : c == '}' as char ? -1 : 0
                }
                String body = text.substring(start, i)
                methods++
                assert !(body =~ /\bscript\s*\./): "${file.name}: ${header.trim()} calls a step through script"
                steps.each { step -> assert !(body =~ /(?<![.\w])${step}\s*[(']/): "${file.name}: ${header.trim()} calls ${step}" }
            }
        }
        assert methods >= 10
    }

    @Test
    void 'the Jenkinsfiles use only library steps that exist'() {
        List<String> known = h.libraryStepNames()
        [new File(h.root, 'Jenkinsfile.example'), new File(h.root, 'resources/org/mlsecops/examples/custom.Jenkinsfile')].each { File f ->
            assert f.file: f.path
            List<String> used = (f.text =~ /\b(mlsecops[A-Z]\w*)\s*\(/).collect { it[1] }.unique()
            assert used: "${f.name} uses no library step"
            assert known.containsAll(used): f.name
        }
    }

}
