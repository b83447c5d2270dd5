package mlsecops.harness

/**
 * What pipeline-model-definition's validator would reject in the pipeline a step declared,
 * checked on the harness's recorded calls: only known top-level sections, each at most once;
 * option, trigger and parameter symbols that exist; known post conditions; every stage with
 * exactly one steps block.
 */
class DeclarativeValidator {

    static final List<String> SECTIONS = ['agent', 'environment', 'options', 'parameters', 'triggers', 'tools', 'stages',
                                          'post', 'libraries']
    static final List<String> OPTIONS = ['buildDiscarder', 'checkoutToSubdirectory', 'disableConcurrentBuilds',
                                         'disableResume', 'newContainerPerStage', 'overrideIndexTriggers',
                                         'preserveStashes', 'quietPeriod', 'retry', 'skipDefaultCheckout',
                                         'skipStagesAfterUnstable', 'timeout', 'timestamps', 'parallelsAlwaysFailFast',
                                         'gitLabConnection', 'ansiColor', 'durabilityHint']
    /** the symbols the options take as arguments (logRotator inside buildDiscarder) */
    static final List<String> OPTION_ARGUMENTS = ['logRotator']
    static final List<String> TRIGGERS = ['cron', 'pollSCM', 'upstream', 'gitlab', 'githubPush']
    static final List<String> PARAMETERS = ['string', 'text', 'booleanParam', 'choice', 'password']
    static final List<String> POST = ['always', 'changed', 'fixed', 'regression', 'aborted', 'failure', 'success',
                                      'unstable', 'unsuccessful', 'cleanup']

    /** The problems found; empty when the declaration is valid. */
    static List<String> problems(PipelineHarness h) {
        List<String> result = []
        List<PipelineHarness.Call> top = h.calls.findAll { it.scope == ['pipeline'] && it.name != 'stageFailed' }
        List<String> names = top*.name.findAll { it != 'node' }
        names.findAll { !(it in SECTIONS) }.each { result << "unknown section '${it}' in pipeline".toString() }
        names.countBy { it }.findAll { k, v -> v > 1 }.each { k, v -> result << "section '${k}' declared ${v} times".toString() }
        if (!('agent' in names)) {
            result << 'pipeline has no agent section'
        }
        if (!('stages' in names)) {
            result << 'pipeline has no stages section'
        }
        check(h, 'options', OPTIONS + OPTION_ARGUMENTS, result)
        check(h, 'triggers', TRIGGERS, result)
        check(h, 'parameters', PARAMETERS, result)
        h.calls.findAll { it.scope && it.scope.last() == 'post' }.each { PipelineHarness.Call c ->
            if (!(c.name in POST)) {
                result << "unknown post condition '${c.name}'".toString()
            }
        }
        h.calls.findAll { it.name == 'stage' && !it.skipped }.each { PipelineHarness.Call stage ->
            String label = "stage(${stage.args[0]})"
            int steps = h.calls.count { it.name == 'steps' && it.scope && it.scope.last() == label }
            if (steps != 1) {
                result << "${label} has ${steps} steps blocks".toString()
            }
        }
        return result
    }

    private static void check(PipelineHarness h, String section, List<String> known, List<String> result) {
        h.calls.findAll { it.scope && it.scope.last() == section }.each { PipelineHarness.Call c ->
            if (!(c.name in known)) {
                result << "unknown ${section} symbol '${c.name}'".toString()
            }
        }
    }

}
