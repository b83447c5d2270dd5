package mlsecops.harness

import groovy.json.JsonSlurper
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer

/**
 * A small JenkinsPipelineUnit-style harness: loads the library's vars/ scripts in a
 * GroovyShell (the src/ classes on the classpath), binds mocked steps that record every
 * call with its arguments and its scope (the enclosing node, container, withCredentials,
 * stage, ... blocks), and mocks the declarative DSL so that a pipeline's structure can be
 * asserted and its stages run.
 */
class PipelineHarness {

    /** The repository root (vars/, resources/). */
    final File root

    /** Every step call, in order. */
    final List<Call> calls = []

    /**
     * The repository's files (path -> content), what readTrusted reads and what `checkout scm`
     * puts in a workspace. Every agent (node, pod, ws) has a workspace of its own, filled from
     * the repository when it is allocated; on an agent, {@code files} is that workspace, so a
     * stage sees only the repository and what it unstashed or wrote there.
     */
    final Map<String, String> repository = [:]

    /** Workspaces by agent path. */
    final Map<String, Map<String, String>> workspaces = [:]

    /** Stash name -> the files it holds (path -> content). */
    final Map<String, Map<String, String>> stashed = [:]

    /** The current workspace on an agent, else the repository. */
    Map<String, String> getFiles() {
        String path = env.WORKSPACE as String
        return env.NODE_NAME && path && workspaces.containsKey(path) ? workspaces[path] : repository
    }

    /** The build's environment (env.*). */
    final Map<String, Object> env = [BUILD_NUMBER: '7', JOB_NAME: 'team/model', BRANCH_NAME: 'main']

    final CurrentBuild currentBuild = new CurrentBuild()

    /** The build's parameters (params.*). */
    final Map<String, Object> params = [:]

    /** Stash names stashed so far. */
    final Set<String> stashes = new LinkedHashSet<String>()

    /** false: unstash of a name that was not stashed fails, as in Jenkins. true: every unstash succeeds. */
    boolean anyStashExists = true

    /** unstash calls that failed (no such saved stash): a build should make none. */
    int failedUnstashes = 0

    /** Plugins that are not installed: calling their steps throws NoSuchMethodError, as in Jenkins. */
    final Set<String> missingSteps = [] as Set

    /**
     * The worker's store as `mlsecops handoff` uses it: key -> the folder's files. The harness plays
     * `handoff size|put|get` itself (before any onSh handler): size sums the folder's files, put
     * copies them here and writes the pointer, get restores them and removes the pointer.
     */
    final Map<String, Map<String, String>> handoffStore = [:]

    /** Sizes `handoff size` reports for these folders instead of their files' (a 60 MB model without 60 MB). */
    final Map<String, Long> folderSizes = [:]

    /** The name the `sh` calls of `mlsecops handoff` are recorded under (still checked as sh). */
    static final String HANDOFF_SH = 'sh:handoff'

    /** `handoff get` commands whose store object was tampered with: they exit 3, as the worker does. */
    final Set<String> corruptHandoffs = [] as Set

    /** Every credential value a withCredentials/withVault mock has put in the environment. */
    final Set<String> secretValues = new LinkedHashSet<String>()

    private final List<List> shHandlers = []
    private final List<String> scope = []
    private final Binding binding = new Binding()
    private final GroovyShell shell
    private final Map<String, Script> scripts = [:]
    private int podCount = 0

    PipelineHarness(File root = new File(System.getProperty('mlsecops.root', '.'))) {
        this.root = root.canonicalFile
        CompilerConfiguration config = new CompilerConfiguration()
        ImportCustomizer imports = new ImportCustomizer()
        // Jenkins imports these into every Pipeline script
        imports.addImports('com.cloudbees.groovy.cps.NonCPS', 'org.jenkinsci.plugins.workflow.libs.Library')
        config.addCompilationCustomizers(imports)
        shell = new GroovyShell(getClass().classLoader, binding, config)
        registerSteps()
        registerDeclarative()
        registerLibrarySteps()
    }

    // ---- running -------------------------------------------------------------------

    /** Calls vars/<step>.groovy's call(params), as a Jenkinsfile would. */
    Object run(String step, Map params = null) {
        Closure callable = binding.getVariable(step) as Closure
        return params == null ? callable.call() : callable.call(params)
    }

    /** Runs a Jenkinsfile (path relative to the repository root) with the library's steps bound. */
    Object runJenkinsfile(String path) {
        Script script = shell.parse(new File(root, path))
        script.binding = binding
        return script.run()
    }

    /** Runs a Jenkinsfile given as text, with the library's steps bound. */
    Object runJenkinsfileText(String text) {
        Script script = shell.parse(text)
        script.binding = binding
        return script.run()
    }

    /** Runs {@code run(step, params)} and returns the AbortException it must throw. */
    AbortException runExpectingError(String step, Map params = null) {
        try {
            run(step, params)
        } catch (AbortException e) {
            return e
        }
        throw new AssertionError((Object) "${step} did not fail the build".toString())
    }

    /** The script object of vars/<step>.groovy. */
    Script script(String step) {
        if (!scripts.containsKey(step)) {
            File file = new File(root, "vars/${step}.groovy")
            Script script = shell.parse(file)
            script.binding = binding
            scripts[step] = script
        }
        return scripts[step]
    }

    /** Replaces a library step by a mock that only records its calls. */
    void mockStep(String name, Closure behaviour = null) {
        step(name) { List args -> behaviour ? behaviour.call(*args) : null }
    }

    /** The worker's sh: the first handler whose pattern is found in the script decides its result. */
    void onSh(String pattern, Closure handler) {
        shHandlers.add(0, [pattern, handler])
    }

    // ---- asserting -----------------------------------------------------------------

    List<Call> calls(String name) {
        return calls.findAll { it.name == name }
    }

    Call call(String name) {
        List<Call> found = calls(name)
        if (found.size() != 1) {
            throw new AssertionError((Object) "expected one call of ${name}, got ${found.size()}: ${found}".toString())
        }
        return found[0]
    }

    /** The scripts of the worker's sh calls. */
    List<String> shScripts() {
        return calls('sh').collect { it.arg('script') as String }
    }

    /** The worker command lines in the sh scripts ('mlsecops ...' without the stderr redirection). */
    List<String> workerCommands() {
        return shScripts().collect { script ->
            String line = script.readLines().find { it.contains(' --workspace ') && !it.contains(' handoff ') }
            line ? line.replaceAll(/^\{ \{ /, '').replaceAll(/; echo .*$/, '') : null
        }.findAll { it }
    }

    // ---- mocks ---------------------------------------------------------------------

    private void step(String name, Closure behaviour) {
        binding.setVariable(name) { Object[] raw ->
            List args = (raw as List).collect { it instanceof Closure ? it : plain(it) }
            if (name in missingSteps) {
                throw new NoSuchMethodError("No such DSL method '${name}' found among steps")
            }
            StepRules.check(name, args, env.NODE_NAME != null)
            Call call = new Call(name: name, args: args.findAll { !(it instanceof Closure) }, scope: new ArrayList(scope))
            calls << call
            return behaviour.call(args)
        }
    }

    /** A step with a body: records the call, runs the body inside scope {@code label}. */
    private Object within(String label, Closure body, Closure setup = null, Closure teardown = null) {
        scope.push(label)
        try {
            setup?.call()
            return body?.call()
        } finally {
            teardown?.call()
            scope.pop()
        }
    }

    /** GStrings as Strings, as Jenkins passes them to steps. */
    private static Object plain(Object value) {
        if (value instanceof GString) {
            return value.toString()
        }
        if (value instanceof Map) {
            return (value as Map).collectEntries { k, v -> [(plain(k)): plain(v)] }
        }
        if (value instanceof List) {
            return (value as List).collect { plain(it) }
        }
        return value
    }

    private static Closure body(List args) {
        return args.find { it instanceof Closure } as Closure
    }

    private static Map named(List args) {
        return args && args[0] instanceof Map ? args[0] as Map : [:]
    }

    private Object withEnvVars(Map<String, Object> values, Closure body) {
        Map saved = [:]
        values.each { k, v -> saved[k] = env.containsKey(k) ? env[k] : NONE; env[k] = v }
        try {
            return body.call()
        } finally {
            saved.each { k, v -> if (v.is(NONE)) { env.remove(k) } else { env[k] = v } }
        }
    }

    private static final Object NONE = new Object()

    private void registerSteps() {
        binding.setVariable('env', env)
        binding.setVariable('currentBuild', currentBuild)
        binding.setVariable('scm', [$class: 'GitSCM', branches: [[name: '*/main']],
                                    userRemoteConfigs: [[url: 'https://gitlab.example.com/team/model.git']], extensions: []])
        binding.setVariable('docker', new DockerMock())
        binding.setVariable('params', params)

        step('echo') { List a -> null }
        step('error') { List a -> throw new AbortException(a[0] as String) }
        step('sh') { List a ->
            Map args = a[0] instanceof Map ? a[0] as Map : [script: a[0] as String]
            if ((args.script as String).contains(' handoff ')) {
                calls.last().name = HANDOFF_SH // the worker's stage command stays the one 'sh' of a stage
            }
            shStep(args)
        }
        step('stash') { List a ->
            Map p = named(a)
            Map<String, String> picked = files.findAll { String path, v ->
                Globs.matches(p.includes as String ?: '**', path) && !(p.excludes && Globs.matches(p.excludes as String, path))
            }
            if (!picked && !p.allowEmpty) {
                throw new AbortException('No files included in stash ‘' + p.name + '’')
            }
            stashes << (p.name as String)
            stashed[p.name as String] = new LinkedHashMap(picked)
            null
        }
        step('unstash') { List a ->
            String name = a[0] instanceof Map ? named(a).name : a[0]
            if (!anyStashExists && !(name in stashes)) {
                failedUnstashes++
                throw new AbortException("No such saved stash ‘${name}’")
            }
            files.putAll(stashed[name] ?: [:])
            null
        }
        step('checkout') { List a -> [GIT_COMMIT: '0123456789abcdef'] }
        step('libraryResource') { List a ->
            File file = new File(root, "resources/${a[0] instanceof Map ? named(a).resource : a[0]}")
            if (!file.file) {
                throw new AbortException("No such library resource ${a[0]} could be found.")
            }
            file.text
        }
        step('readYaml') { List a ->
            Map p = named(a)
            String text = p.containsKey('text') ? p.text : readWorkspace(p.file as String)
            ReadYaml.parse(text as String)
        }
        step('readJSON') { List a ->
            Map p = named(a)
            new JsonSlurper().parseText(p.containsKey('text') ? p.text as String : readWorkspace(p.file as String))
        }
        step('readTrusted') { List a ->
            String path = a[0] instanceof Map ? named(a).path as String : a[0] as String
            if (!repository.containsKey(path)) {
                throw new AbortException("${path} does not exist in the repository")
            }
            repository[path]
        }
        step('readFile') { List a -> readWorkspace(a[0] instanceof Map ? named(a).file as String : a[0] as String) }
        step('writeFile') { List a -> files[named(a).file as String] = named(a).text as String; null }
        step('fileExists') { List a -> files.containsKey(a[0] instanceof Map ? named(a).file : a[0]) }
        step('junit') { List a -> null }
        step('recordIssues') { List a -> null }
        step('sarif') { List a -> [tool: 'sarif'] + named(a) }
        step('archiveArtifacts') { List a -> null }
        step('publishHTML') { List a -> null }
        step('updateGitlabCommitStatus') { List a -> null }
        step('publishChecks') { List a -> null }
        step('parallel') { List a ->
            Object arg = a[0]
            if (arg instanceof Closure) {
                return within('parallel', arg as Closure)
            }
            (arg as Map).findAll { k, v -> k != 'failFast' }.each { k, v -> within("branch(${k})", v as Closure) }
            null
        }
        step('node') { List a ->
            String label = a.find { it instanceof String }
            String path = newWorkspace("/agent-${++agentCount}/workspace/team_model")
            within("node(${label ?: ''})", { withEnvVars([NODE_NAME: "agent-${agentCount}".toString(), WORKSPACE: path], body(a)) })
        }
        step('ws') { List a ->
            String path = newWorkspace(a[0] as String)
            within("ws(${a[0]})", { withEnvVars([WORKSPACE: path], body(a)) })
        }
        step('dir') { List a -> within("dir(${a[0]})", body(a)) }
        step('deleteDir') { List a ->
            String dir = scope.reverse().find { it.startsWith('dir(') }
            String path = dir ? dir.substring(4, dir.length() - 1) : ''
            files.keySet().removeAll(files.keySet().findAll { !path || it.startsWith("${path}/") })
            null
        }
        step('retry') { List a -> within('retry', body(a)) }
        ['kubernetesAgent', 'nonresumable'].each { String n -> step(n) { List a -> [condition: n] } }
        step('podTemplate') { List a ->
            String label = "mlsecops-pod-${++podCount}"
            within('podTemplate', { withEnvVars([POD_LABEL: label], body(a)) })
        }
        step('container') { List a -> within("container(${a[0]})", body(a)) }
        step('withEnv') { List a ->
            Map values = (a[0] as List).collectEntries { String s -> [(s.substring(0, s.indexOf('='))): s.substring(s.indexOf('=') + 1)] }
            within('withEnv', { withEnvVars(values, body(a)) })
        }
        step('string') { List a -> [$class: 'StringBinding', type: 'string'] + named(a) }
        step('usernamePassword') { List a -> [$class: 'UsernamePasswordMultiBinding', type: 'usernamePassword'] + named(a) }
        step('file') { List a -> [$class: 'FileBinding', type: 'file'] + named(a) }
        step('withCredentials') { List a ->
            Map values = [:]
            (a[0] as List).each { Map b ->
                if (b.type == 'usernamePassword') {
                    values[b.usernameVariable] = "user-of-${b.credentialsId}".toString()
                    values[b.passwordVariable] = "s3cr3t-password-of-${b.credentialsId}".toString()
                } else if (b.type == 'file') {
                    values[b.variable] = "/agent/workspace@tmp/secretFiles/s3cr3t-${b.credentialsId}".toString()
                } else {
                    values[b.variable] = "s3cr3t-value-of-${b.credentialsId}".toString()
                }
            }
            secretValues.addAll(values.values()*.toString())
            within('withCredentials', { withEnvVars(values, body(a)) })
        }
        step('withVault') { List a ->
            Map values = [:]
            (named(a).vaultSecrets as List).each { Map s ->
                (s.secretValues as List).each { Map v -> values[v.envVar] = "s3cr3t-vault-${s.path}-${v.vaultKey}".toString() }
            }
            secretValues.addAll(values.values()*.toString())
            within('withVault', { withEnvVars(values, body(a)) })
        }
    }

    private int agentCount = 0

    /** A fresh workspace holding the repository's files (as after `checkout scm`). */
    private String newWorkspace(String path) {
        workspaces[path] = new LinkedHashMap<String, String>(repository)
        return path
    }

    private String readWorkspace(String path) {
        if (!files.containsKey(path)) {
            throw new AbortException("${path} does not exist.")
        }
        return files[path]
    }

    private Object shStep(Map args) {
        String script = args.script
        Object result = null
        java.util.regex.Matcher handoff = script =~ /--workspace (\S+) handoff (size|put|get) ([^\s;]+)([^;\n]*)/
        List<List> handlers = handoff.find() ? [[script, { Map a -> handoffCommand(handoff) }]] : shHandlers
        for (List handler : handlers) {
            if (script.contains(handler[0] as String)) {
                result = (handler[1] as Closure).call(args)
                break
            }
        }
        if (args.returnStdout) {
            return result == null ? '' : String.valueOf(result)
        }
        int status = result instanceof Integer ? result as int : 0
        if (args.returnStatus) {
            return status
        }
        if (status != 0) {
            throw new AbortException("script returned exit code ${status}")
        }
        return null
    }

    /** The worker's `handoff size|put|get FOLDER [--build B] [--exclude GLOB]...` on the current workspace. */
    private Object handoffCommand(java.util.regex.Matcher m) {
        String ws = m.group(1)
        String command = m.group(2)
        String folder = m.group(3)
        List<String> words = m.group(4).tokenize(' ')
        List<String> excludes = []
        String build = 'no-build'
        words.eachWithIndex { String w, int i ->
            if (w == '--exclude') { excludes << "${ws}/${folder}/${words[i + 1]}".toString() }
            if (w == '--build') { build = words[i + 1] }
        }
        String pointer = "${ws}/.handoff/${folder}.json"
        Map<String, String> inFolder = files.findAll { String path, v ->
            path.startsWith("${ws}/${folder}/") && !excludes.any { Globs.matches(it, path) }
        }
        switch (command) {
            case 'size':
                long bytes = folderSizes.containsKey(folder) ? folderSizes[folder] : (inFolder.values().sum { it.length() } ?: 0)
                return groovy.json.JsonOutput.toJson([folder: folder, bytes: bytes, files: inFolder.size()])
            case 'put':
                String key = "handoff/${build}/${folder}".toString()
                handoffStore[key] = new LinkedHashMap(inFolder)
                files[pointer] = groovy.json.JsonOutput.toJson([folder: folder, key: key])
                return 0
            default: // get
                if (!files.containsKey(pointer)) {
                    return 2
                }
                String key = new JsonSlurper().parseText(files[pointer]).key
                if (!handoffStore.containsKey(key) || key in corruptHandoffs) {
                    return 3
                }
                files.keySet().removeAll(files.keySet().findAll { it.startsWith("${ws}/${folder}/") })
                files.putAll(handoffStore[key])
                files.remove(pointer)
                return 0
        }
    }

    // ---- the declarative DSL -------------------------------------------------------

    /** The declarative sections and their content, for structure assertions. */
    final Map<String, Object> declared = [:]

    private Map post = null
    private boolean failed = false

    private void registerDeclarative() {
        binding.setVariable('none', 'none')
        binding.setVariable('_', null) // @Library('...') _
        binding.setVariable('any', 'any')
        step('pipeline') { List a ->
            Map sections = [:]
            within('pipeline', {
                declaredSections = sections
                body(a).call()
            })
            Closure run = {
                if (sections.stages) {
                    within('stages', sections.stages as Closure)
                }
                if (sections.post) {
                    runPost(sections.post as Closure)
                }
            }
            within('pipeline', { sections.agent != null ? onAgent(sections.agent as String, run) : run() })
            null
        }
        step('agent') { List a ->
            if (!a) {
                return [condition: 'agent'] // retry(conditions: [agent()])
            }
            Object agent = body(a) ? within('agent', body(a)) : a[0]
            String label = agent instanceof Map ? (agent as Map).label : null
            if (scope.any { it.startsWith('stage(') }) {
                stageAgent = agent == 'none' ? null : (label ?: '')
            } else {
                declaredSections.agent = agent == 'none' ? null : (label ?: '')
            }
            null
        }
        step('when') { List a ->
            whenResults = []
            within('when', body(a))
            if (!whenResults.every()) {
                stageSkippedByWhen = true
            }
            null
        }
        step('branch') { List a -> whenResults << (env.BRANCH_NAME == a[0]); null }
        step('expression') { List a -> whenResults << (body(a).call() as boolean); null }
        ['options', 'triggers', 'environment', 'tools', 'parameters'].each { String section ->
            step(section) { List a -> within(section, body(a)) }
        }
        step('stages') { List a -> declaredSections.stages = body(a); null }
        step('post') { List a -> declaredSections.post = body(a); null }
        step('stage') { List a ->
            String name = a[0] as String
            if (failed) {
                calls.last().skipped = true // a stage after a failed one does not run
                return null
            }
            try {
                stageAgent = null
                stageSkippedByWhen = false
                within("stage(${name})", body(a))
            } catch (AbortException e) {
                failed = true
                currentBuild.result = currentBuild.result ?: 'FAILURE'
                calls << new Call(name: 'stageFailed', args: [name, e.message], scope: new ArrayList(scope))
            }
            null
        }
        step('steps') { List a ->
            if (stageSkippedByWhen) {
                calls.last().skipped = true
                return null
            }
            if (stageAgent != null) {
                return onAgent(stageAgent, { within('steps', body(a)) })
            }
            within('steps', body(a))
        }
        step('script') { List a -> within('script', body(a)) }
        // options and triggers: their calls are recorded with scope 'options' / 'triggers'
        ['timestamps', 'githubPush'].each { String n -> step(n) { List a -> [option: n] } }
        ['disableConcurrentBuilds', 'preserveStashes'].each { String n -> step(n) { List a -> [(n): a ? a[0] : null] } }
        ['timeout', 'buildDiscarder', 'logRotator', 'gitLabConnection', 'cron', 'gitlab', 'upstream', 'label'].each { String n ->
            // timeout as a step (with a body) runs it; as an option it is recorded only
            step(n) { List a -> body(a) ? within(n, body(a)) : [(n): a ? a.find { !(it instanceof Closure) } : null] }
        }
    }

    private Map declaredSections = [:]
    private String stageAgent = null
    private boolean stageSkippedByWhen = false
    private List whenResults = []

    /** A declarative agent: the body runs on a node, env.NODE_NAME set. */
    private Object onAgent(String label, Closure body) {
        calls << new Call(name: 'node', args: label ? [label] : [], scope: new ArrayList(scope))
        String path = newWorkspace("/agent-${++agentCount}/workspace/team_model")
        return within("node(${label})", {
            withEnvVars([NODE_NAME: "agent-${label ?: 'any'}".toString(), WORKSPACE: path], body)
        })
    }

    private static final List<String> POST_ORDER = ['always', 'changed', 'fixed', 'regression', 'aborted', 'failure',
                                                    'success', 'unstable', 'unsuccessful', 'cleanup']

    private void runPost(Closure section) {
        Map<String, Closure> conditions = [:]
        POST_ORDER.each { String c -> step(c) { List a -> conditions[c] = body(a); null } }
        within('post', section)
        String result = currentBuild.currentResult
        Map<String, Boolean> applies = [
            always: true, changed: false, fixed: false, regression: false,
            aborted: result == 'ABORTED', failure: result == 'FAILURE', success: result == 'SUCCESS',
            unstable: result == 'UNSTABLE', unsuccessful: result != 'SUCCESS', cleanup: true,
        ]
        POST_ORDER.each { String c ->
            if (conditions[c] && applies[c]) {
                within("post(${c})", conditions[c])
            }
        }
    }

    // ---- the library's own steps ---------------------------------------------------

    private void registerLibrarySteps() {
        new File(root, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.each { File file ->
            String name = file.name - '.groovy'
            step(name) { List a -> a ? script(name).invokeMethod('call', a as Object[]) : script(name).invokeMethod('call', null) }
        }
    }

    /** Names of the library's steps (vars/*.groovy). */
    List<String> libraryStepNames() {
        return new File(root, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.collect { it.name - '.groovy' }.sort()
    }

    // ---- types ---------------------------------------------------------------------

    /** One recorded step call. */
    static class Call {
        String name
        List args
        /** The enclosing blocks, outermost first: 'node(gpu)', 'docker(image)', 'withCredentials', 'stage(Load)', ... */
        List<String> scope
        boolean skipped = false

        /** The named argument {@code key}, or the positional argument when the step has one. */
        Object arg(String key) {
            if (args && args[0] instanceof Map) {
                return (args[0] as Map)[key]
            }
            return args ? args[0] : null
        }

        boolean within(String label) {
            return scope.any { it == label || it.startsWith("${label}(") }
        }

        String toString() {
            return "${name}(${args})${scope ? ' in ' + scope.join(' > ') : ''}"
        }
    }

    /** currentBuild */
    static class CurrentBuild {
        String result
        String description
        String displayName = '#7'

        String getCurrentResult() {
            return result ?: 'SUCCESS'
        }
    }

    /** docker.image(name).inside(args) { } */
    class DockerMock {
        Object image(String name) {
            calls << new Call(name: 'docker.image', args: [name], scope: new ArrayList(scope))
            return new DockerImageMock(name)
        }
    }

    class DockerImageMock {
        final String name

        DockerImageMock(String name) {
            this.name = name
        }

        Object inside(String args = '', Closure body) {
            calls << new Call(name: 'docker.inside', args: [name, args], scope: new ArrayList(scope))
            return within("docker(${name})", body)
        }
    }

}
