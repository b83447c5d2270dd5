package mlsecops.test

import org.junit.Test

/** Stage 3: the scanners as parallel branches, each stashing its own folder. */
class ScanTest extends LibraryTestCase {

    @Test
    void 'the worker config names the parallel branches unless the jenkins section does'() {
        h.files['mlsecops.yaml'] = 'project:\n  name: demo\nscan:\n  scanners: [secrets, notebooks]\n'
        h.run('mlsecopsScan')
        assert h.workerCommands() == ["mlsecops ${BASE} scan --only secrets".toString(),
                                      "mlsecops ${BASE} scan --only notebooks".toString()]
    }

    @Test
    void 'scan runs one parallel branch per configured scanner, each with scan --only'() {
        h.run('mlsecopsScan')
        assert h.call('parallel').arg('failFast') == false
        List<String> scanners = ['secrets', 'dataset', 'models']
        assert h.workerCommands() == scanners.collect { "mlsecops ${BASE} scan --only ${it}".toString() }
        assert h.calls('sh').collect { it.scope.find { s -> s.startsWith('branch(') } } == scanners.collect { "branch(${it})".toString() }
    }

    @Test
    void 'each branch allocates its own agent, unstashes the load stage and stashes only its scanner folder'() {
        repoConfig('scanners: [secrets, bandit]')
        h.run('mlsecopsScan')
        assert h.calls('node').size() == 2
        assert h.calls('unstash')*.arg('name') == ['mlsecops-load', 'mlsecops-load']
        assert h.calls('stash').collect { [it.arg('name'), it.arg('includes')] } == [
            ['mlsecops-scan-secrets', '.mlsecops/scan/secrets/**'],
            ['mlsecops-scan-bandit', '.mlsecops/scan/bandit/**'],
        ]
    }

    @Test
    void 'parallel branches do not publish (the security gate renders the reports of all scanners)'() {
        h.run('mlsecopsScan', [scanners: ['secrets', 'bandit']])
        assert h.calls('junit').empty
        assert h.calls('archiveArtifacts').empty
    }

    @Test
    void 'only selects scanners, as a list or a comma-separated string'() {
        h.run('mlsecopsScan', [only: 'bandit, dependencies'])
        assert h.workerCommands() == ["mlsecops ${BASE} scan --only bandit".toString(), "mlsecops ${BASE} scan --only dependencies".toString()]
    }

    @Test
    void 'a single selected scanner runs without a parallel block'() {
        h.run('mlsecopsScan', [only: ['secrets']])
        assert h.calls('parallel').empty
        assert h.workerCommands() == ["mlsecops ${BASE} scan --only secrets".toString()]
        assert h.call('stash').arg('name') == 'mlsecops-scan-secrets'
    }

    @Test
    void 'without scanParallel the scan runs once and stashes the whole scan folder'() {
        repoConfig('scanParallel: false')
        h.run('mlsecopsScan')
        assert h.calls('parallel').empty
        assert h.workerCommands() == ["mlsecops ${BASE} scan".toString()]
        assert h.calls('stash').collect { [it.arg('name'), it.arg('includes')] } == [
            ['mlsecops-scan', '.mlsecops/scan/**']]
    }

    @Test
    void 'without scanParallel the security gate unstashes the one scan stash'() {
        repoConfig('scanParallel: false')
        h.run('mlsecopsGate', [gate: 'security'])
        assert h.calls('unstash')*.arg('name') == ['mlsecops-load', 'mlsecops-scan']
    }

    @Test
    void 'without scanParallel only becomes one scan --only with all names'() {
        h.run('mlsecopsScan', [scanParallel: false, only: ['bandit', 'dependencies']])
        assert h.workerCommands() == ["mlsecops ${BASE} scan --only bandit,dependencies".toString()]
    }

    @Test
    void 'a failing scanner branch fails the build with the worker message'() {
        workerFails('scan --only dependencies', 3, 'mlsecops: pip-audit: vulnerability database unreachable after 3 attempts\n')
        h.onSh('scan --only dependencies') { Map args ->
            h.files['.mlsecops/jenkins/mlsecops-scan-dependencies.stderr.log'] = 'mlsecops: pip-audit: vulnerability database unreachable after 3 attempts\n'
            3
        }
        assert h.runExpectingError('mlsecopsScan', [scanners: ['bandit', 'dependencies']]).message ==
            '[mlsecopsScan] mlsecops: pip-audit: vulnerability database unreachable after 3 attempts'
        assert h.currentBuild.result == 'FAILURE'
    }

}
