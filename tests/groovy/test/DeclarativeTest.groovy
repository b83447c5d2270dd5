package mlsecops.test

import mlsecops.harness.DeclarativeValidator
import org.junit.Test

/** What mlsecopsPipeline declares passes the checks Declarative Pipeline makes before it runs. */
class DeclarativeTest extends LibraryTestCase {

    @Test
    void 'the one-call pipeline is a valid declarative pipeline, with every option and trigger set'() {
        PipelineTest.STAGE_STEPS.each { h.mockStep(it) }
        h.env.CHANGE_ID = '7'
        h.run('mlsecopsPipeline', [cron: 'H 2 * * *', upstreamProjects: 'data-refresh', githubStatus: true])
        assert DeclarativeValidator.problems(h) == []
    }

    @Test
    void 'the validator rejects a section declared twice, an unknown option and a stage without steps'() {
        h.mockStep('keepForever') // a step that exists, but is no option
        h.mockStep('allways')
        h.runJenkinsfileText('''
            pipeline {
                agent none
                options { timestamps(); keepForever() }
                options { timestamps() }
                stages { stage('A') { } }
                post { allways { echo 'x' } }
            }''')
        List<String> problems = DeclarativeValidator.problems(h)
        assert "section 'options' declared 2 times" in problems
        assert "unknown options symbol 'keepForever'" in problems
        assert 'stage(A) has 0 steps blocks' in problems
        assert "unknown post condition 'allways'" in problems
    }

    @Test
    void 'the one-call pipeline declares the parameters the webhook relay fills'() {
        PipelineTest.STAGE_STEPS.each { h.mockStep(it) }
        h.run('mlsecopsPipeline')
        List<String> declared = h.calls.findAll { it.scope && it.scope.last() == 'parameters' }*.arg('name')
        assert declared.containsAll(['MLSECOPS_COMMIT', 'MLSECOPS_BRANCH', 'MLSECOPS_EVENT'])
    }

}
