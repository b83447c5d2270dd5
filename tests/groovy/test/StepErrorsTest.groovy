package mlsecops.test

import org.junit.Test

/** A failing step says which step, with which parameters, and where its documentation is. */
class StepErrorsTest extends LibraryTestCase {

    @Test
    void 'a failing stage explains itself with its parameters and documentation, never a credential'() {
        repoConfig('''
            credentials:
              AWS_ACCESS_KEY_ID: {enabled: true}''')
        workerFails('store', 3, 'mlsecops: store: s3 unreachable\n')
        h.runExpectingError('mlsecopsStore')
        String explained = h.calls('echo')*.arg('message').find { it.contains('[mlsecopsStore] failed') }
        assert explained.contains('mlsecops: store: s3 unreachable')
        assert explained.contains('stage:store') && explained.contains('command:[store]')
        assert explained.contains('vars/mlsecopsStore.txt')
        assert !explained.contains('credentials') && h.secretValues.every { !explained.contains(it) }
    }

    @Test
    void 'a per-step timeout wraps the stage when configured'() {
        repoConfig('''
            stages:
              train: {stepTimeoutMinutes: 90}''')
        h.run('mlsecopsTrain')
        assert h.call('timeout').args == [[time: 90, unit: 'MINUTES']]
        assert h.call('sh').within('timeout')
        createHarness()
        h.run('mlsecopsEvaluate')
        assert h.calls('timeout').empty
    }

}
