package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/**
 * Runs one stage of the worker, the same way for every step:
 * place it (docker.image(image).inside on an agent, or a Kubernetes pod), unstash the
 * stage's inputs, run the worker with the stage's credentials bound, stash exactly the
 * stage's outputs, publish reports, and turn the worker's exit code into the build result.
 */
class Worker implements Serializable {

    private static final long serialVersionUID = 1L

    static final int PASSED = 0
    static final int GATE_FAILED = 1
    static final int BAD_INPUT = 2
    static final int ENVIRONMENT = 3

    static final String MESSAGE_PREFIX = 'mlsecops: '
    static final String ENTRYPOINT = '--entrypoint='

    private final Object script
    private final Map cfg
    private final String step
    private final String stage
    private final String branch
    private final List<String> args
    /** Output folders of this stage handed off through the store: only their pointers are stashed. */
    private final List<String> handedOff = []

    /**
     * @param script the pipeline script (the calling step)
     * @param cfg    the stage's layered configuration (Config.load)
     * @param job    step: the calling step's name, for messages ('mlsecopsTrain');
     *               stage: the workspace stage ('train', 'gate-security', ...);
     *               branch: a parallel branch of the stage ('secrets' for `scan --only secrets`), or null;
     *               command: the worker command and its arguments (['gate', '--stage', 'security'])
     */
    Worker(Object script, Map cfg, Map job) {
        this.script = script
        this.cfg = cfg
        this.step = job.step as String
        this.stage = job.stage as String
        this.branch = job.branch as String
        this.args = job.command as List<String>
    }

    /** Runs the stage; returns the worker's exit code when the step does not fail the build on it. */
    int run() {
        int rc = 0
        onAgent {
            if (cfg.stash) {
                unstashInputs()
            }
            inContainer {
                if (cfg.stash) {
                    restoreHandedOff()
                }
                Credentials.with(script, cfg, stage) {
                    String command = WorkerCommand.script(cfg, args, stderrLog())
                    rc = script.sh(label: label(), returnStatus: true, script: command) as int
                }
                if (cfg.stash) {
                    handOffLarge()
                }
            }
            if (cfg.stash) {
                stashOutputs()
            }
            if (cfg.publish && !branch) {
                Reports.publish(script, cfg, publicationId())
            }
            judge(rc)
        }
        return rc
    }

    /** mlsecops load, mlsecops scan secrets, ... */
    String label() {
        return branch ? "mlsecops ${stage} ${branch}".toString() : "mlsecops ${stage}".toString()
    }

    String stderrLog() {
        return "${cfg.workspace}/jenkins/${publicationId()}.stderr.log".toString()
    }

    private String publicationId() {
        return branch ? "mlsecops-${stage}-${branch}".toString() : "mlsecops-${stage}".toString()
    }

    /** On the current agent if the step is called on one, else on an agent (or pod) of its own. */
    private void onAgent(Closure body) {
        boolean kubernetes = cfg.agent == 'kubernetes'
        if (!(cfg.agent in ['docker', 'kubernetes'])) {
            script.error("[${step}] agent must be 'docker' or 'kubernetes', not '${cfg.agent}'")
        }
        if (script.env.NODE_NAME && branch) {
            // a parallel branch on the caller's agent: a workspace of its own, so that branches
            // never unstash into, or scan, a folder another branch is writing
            script.ws("${script.env.WORKSPACE}@mlsecops-${stage}-${branch}".toString()) {
                prepare()
                body()
            }
        } else if (script.env.NODE_NAME) {
            body()
        } else if (kubernetes) {
            // a pod lost to node pressure or a spot reclaim is retried; a failing worker is not
            script.retry(count: 2, conditions: [script.kubernetesAgent(), script.nonresumable()]) {
                script.podTemplate(PodSpec.templateArgs(cfg)) {
                    script.node(script.env.POD_LABEL) {
                        prepare()
                        body()
                    }
                }
            }
        } else {
            Closure onNode = {
                prepare()
                body()
            }
            String label = nodeLabel()
            script.retry(count: 2, conditions: [script.agent(), script.nonresumable()]) {
                if (label) {
                    script.node(label, onNode)
                } else {
                    script.node(onNode) // any agent
                }
            }
        }
    }

    private String nodeLabel() {
        String label = (cfg.gpu ? cfg.gpuLabel : cfg.label) as String
        return label ?: null
    }

    private void prepare() {
        if (cfg.checkout) {
            checkout()
        }
        if (cfg.commitStatus) {
            CommitStatus.update(script, cfg, 'running')
        }
    }

    /**
     * {@code checkout scm}; a build the webhook relay started (parameter MLSECOPS_COMMIT) checks
     * out exactly that commit, not the branch head, which may have moved on since the event.
     */
    private void checkout() {
        String commit = (script.params?.MLSECOPS_COMMIT ?: '') as String
        if (!commit) {
            script.checkout(script.scm)
            return
        }
        if (!(commit ==~ /[0-9a-fA-F]{7,64}/)) {
            script.error("[${step}] MLSECOPS_COMMIT '${commit}' is not a commit id")
        }
        script.checkout([$class: 'GitSCM', branches: [[name: commit]],
                         userRemoteConfigs: script.scm.userRemoteConfigs,
                         extensions: script.scm.extensions ?: []])
    }

    private void inContainer(Closure body) {
        if (cfg.agent == 'kubernetes') {
            script.container((cfg.kubernetes as Map).container) { body() }
        } else {
            script.docker.image(image(cfg)).inside(dockerArgs(cfg)) { body() }
        }
    }

    /**
     * Required inputs are unstashed (a missing one fails the step with what to do); optional
     * ones only when this build stashed them, so no unstash ever fails.
     */
    private void unstashInputs() {
        List<Map> inputs = StashPlan.inputs(cfg, stage)
        List<String> made = StashPlan.stashed(script.env[StashPlan.STASHED_ENV])
        List<String> absent = []
        for (int i = 0; i < inputs.size(); i++) {
            String name = inputs[i].name
            if (inputs[i].optional && !made.contains(name)) {
                absent << name
                continue
            }
            try {
                script.unstash(name)
            } catch (IOException e) { // hudson.AbortException: no such saved stash
                script.error("[${step}] missing input stash '${name}' (${e.message}): " +
                             'run the earlier stage first, or set stash: false when all stages share one workspace')
            }
        }
        if (absent && made) {
            script.echo("[${step}] not stashed in this build, those stages did not run: ${absent.join(', ')}")
        }
    }

    /**
     * An input that arrived as a pointer (its stage handed the folder off through the store) is
     * fetched and digest-checked by the worker: {@code mlsecops handoff get}, which removes the pointer.
     */
    private void restoreHandedOff() {
        List<Map> inputs = StashPlan.inputs(cfg, stage)
        for (int i = 0; i < inputs.size(); i++) {
            String folder = inputs[i].folder
            if (script.fileExists(StashPlan.pointer(cfg, folder))) {
                handoff(['get', folder], "mlsecops handoff get ${folder}")
            }
        }
    }

    /**
     * Each output folder the worker reports above {@code stashMaxMb} is put into the store
     * ({@code mlsecops handoff put}); only its pointer is stashed then. The worker measures the folder:
     * the sandbox gives the library no file access of its own.
     */
    private void handOffLarge() {
        if (!StashPlan.handOffEnabled(cfg)) {
            return // stashMaxMb 0: every folder is stashed
        }
        List<Map> outputs = StashPlan.outputs(cfg, stage, branch)
        for (int i = 0; i < outputs.size(); i++) {
            String folder = outputs[i].folder
            List<String> excludes = excludeArgs(outputs[i].keep as List)
            String sizeCommand = WorkerCommand.line(cfg, ['handoff', 'size', folder] + excludes)
            String json = script.sh(label: "mlsecops handoff size ${folder}".toString(), returnStdout: true,
                                    script: sizeCommand) as String
            long bytes = reportedBytes(json)
            if (StashPlan.handOff(cfg, bytes)) {
                String build = StashPlan.buildId(script.env.BUILD_TAG, script.env.JOB_NAME, script.env.BUILD_NUMBER)
                handoff(['put', folder, '--build', build] + excludes, "mlsecops handoff put ${folder}")
                script.echo("[${step}] ${folder}: ${bytes} bytes, above stashMaxMb ${cfg.stashMaxMb}: " +
                            'handed off through the store, its pointer stashed')
                handedOff << folder
            }
        }
    }

    /** One {@code mlsecops handoff} command, with the store credentials the manifest gives it. */
    private void handoff(List<String> words, String label) {
        int code = 0
        String log = "${cfg.workspace}/jenkins/mlsecops-handoff.stderr.log"
        Credentials.with(script, cfg, 'handoff') {
            code = script.sh(label: label, returnStatus: true,
                             script: WorkerCommand.script(cfg, ['handoff'] + words, log)) as int
        }
        if (code != PASSED) {
            script.currentBuild.result = 'FAILURE'
            String line = script.fileExists(log) ? lastMessage(script.readFile(file: log) as String) : null
            script.error("[${step}] ${label} failed (exit ${code})${line ? ': ' + line : ''}")
        }
    }

    /** "bytes" of {@code mlsecops handoff size}'s JSON line; a line without it is the worker's failure. */
    @NonCPS
    static long reportedBytes(String json) {
        java.util.regex.Matcher found = (json ?: '') =~ /"bytes":\s*(\d+)/
        if (!found.find()) {
            throw new IllegalStateException("mlsecops handoff size printed no size: ${(json ?: '').take(200)}")
        }
        return found.group(1) as long
    }

    @NonCPS
    private static List<String> excludeArgs(List keep) {
        List<String> result = []
        (keep ?: []).each { result.addAll(['--exclude', it as String]) }
        return result
    }

    private void stashOutputs() {
        List<Map> outputs = StashPlan.outputs(cfg, stage, branch)
        for (int i = 0; i < outputs.size(); i++) {
            boolean pointerOnly = handedOff.contains(outputs[i].folder)
            Map out = pointerOnly ? StashPlan.pointerStash(cfg, outputs[i]) : outputs[i]
            Map args = [name: out.name, includes: out.includes, allowEmpty: !pointerOnly]
            if (out.excludes) {
                args.excludes = out.excludes
            }
            script.stash(args)
            script.env[StashPlan.STASHED_ENV] = StashPlan.withStashed(script.env[StashPlan.STASHED_ENV], args.name)
        }
        if (handedOff) {
            // the stashed pointers must not stay here: a later build using this workspace would restore them
            script.dir("${cfg.workspace}/${StashPlan.POINTER_DIR}".toString()) {
                script.deleteDir()
            }
        }
    }

    /** The build result from the worker's exit code. */
    private void judge(int rc) {
        if (rc == PASSED) {
            return
        }
        if (cfg.failBuild == false) {
            script.echo("[${step}] worker exited with ${rc}: ${message(rc)} (ignored: failBuild is false)")
            return
        }
        if (rc == GATE_FAILED) {
            String reason = gateReason()
            script.env.MLSECOPS_GATE_FAILED = 'true'
            script.currentBuild.description = "mlsecops ${stage}: ${reason}".toString()
            script.currentBuild.result = 'FAILURE'
            script.error("[${step}] ${stage} failed: ${reason}")
        }
        script.currentBuild.result = 'FAILURE'
        script.error("[${step}] ${message(rc)}")
    }

    /** The top-level "reason" of the failed stage's result.json. */
    private String gateReason() {
        String file = "${StashPlan.resultDir(cfg, stage, branch)}/result.json"
        if (script.fileExists(file)) {
            Map result = script.readJSON(file: file) as Map
            if (result?.reason) {
                return result.reason as String
            }
        }
        return "no reason in ${file}; see the mlsecops reports".toString()
    }

    /** The worker's one-line message ('mlsecops: ...') from its stderr, else a generic one. */
    private String message(int rc) {
        String generic = rc == BAD_INPUT ? 'bad usage, configuration or input' :
            rc == ENVIRONMENT ? 'the environment failed' : 'unexpected failure'
        String fallback = "worker exited with ${rc} (${generic})"
        String log = stderrLog()
        if (!script.fileExists(log)) {
            return fallback
        }
        String line = lastMessage(script.readFile(file: log) as String)
        return line ?: fallback
    }

    /**
     * The arguments of .inside(): {@code --entrypoint=} (the image's entrypoint is the worker CLI,
     * and .inside() needs a container that waits), dockerArgs, plus gpuDockerArgs on a GPU stage.
     */
    @NonCPS
    static String dockerArgs(Map cfg) {
        List<String> args = [ENTRYPOINT]
        [cfg.dockerArgs, cfg.gpu ? cfg.gpuDockerArgs : null].findAll { it }.each { String extra ->
            args.addAll(extra.tokenize(' ').findAll { it != ENTRYPOINT })
        }
        return args.join(' ')
    }

    /**
     * The worker image; a GPU stage gets its CUDA variant: gpuImage, else image + gpuImageSuffix,
     * unless image already names a CUDA variant (a tag ending in -cuda or -cu<version>).
     */
    @NonCPS
    static String image(Map cfg) {
        String image = cfg.image as String
        if (!cfg.gpu) {
            return image
        }
        if (cfg.gpuImage) {
            return cfg.gpuImage as String
        }
        return image ==~ /.*:[^\/:]*-(cuda|cu\d+)/ ? image : "${image}${cfg.gpuImageSuffix ?: ''}".toString()
    }

    @NonCPS
    static String lastMessage(String text) {
        List<String> lines = (text ?: '').readLines()*.trim().findAll { it }
        String tagged = lines.reverse().find { it.startsWith(MESSAGE_PREFIX) }
        return tagged ?: (lines ? lines[-1] : null)
    }

}
