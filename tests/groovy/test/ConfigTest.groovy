package mlsecops.test

import org.junit.Test
import org.mlsecops.Config

/**
 * Layered configuration: library defaults (defaults.yaml via libraryResource), then the
 * `jenkins:` section of the repository's mlsecops.yaml (readYaml), then the call parameters.
 */
class ConfigTest extends LibraryTestCase {

    Map load(String stage, Map params = [:]) {
        return Config.load(h.script('mlsecopsLoad'), stage, params)
    }

    @Test
    void 'layer 1: the library defaults come from the defaults yaml resource'() {
        Map cfg = load('load')
        assert h.calls('libraryResource')*.args == [['org/mlsecops/defaults.yaml'], ['org/mlsecops/stages.yaml']]
        assert cfg.image == 'mlsecops/worker:0.1.0'
        assert cfg.configFile == 'mlsecops.yaml'
        assert cfg.workspace == '.mlsecops'
        assert cfg.agent == 'docker'
        assert cfg.scanners == ['secrets', 'dataset', 'models']
    }

    @Test
    void 'layer 2: the jenkins section of the repository config overrides the defaults, map by map'() {
        repoConfig('''
            image: registry.example.com/mlsecops:1.4
            kubernetes:
              namespace: ml''')
        Map cfg = load('load')
        assert cfg.image == 'registry.example.com/mlsecops:1.4'
        assert cfg.kubernetes.namespace == 'ml'
        assert cfg.kubernetes.container == 'mlsecops' // the rest of the map stays
        assert h.calls('readYaml').size() == 3 // defaults, mlsecops.yaml, the stage manifest
        assert cfg.manifest.stages*.name.contains('train')
    }

    @Test
    void 'layer 3: call parameters win over both, and null parameters do not erase a value'() {
        repoConfig('image: registry.example.com/mlsecops:1.4')
        Map cfg = load('load', [image: 'registry.example.com/mlsecops:1.5-rc1', label: null])
        assert cfg.image == 'registry.example.com/mlsecops:1.5-rc1'
        assert cfg.label == ''
    }

    @Test
    void 'stage sections override the general keys of their layer, for that stage only'() {
        repoConfig('''
            label: cpu
            stages:
              train:
                label: big-cpu
                gpu: true''')
        assert load('train').label == 'big-cpu'
        assert load('train').gpu == true
        assert load('evaluate').label == 'cpu'
        assert load('evaluate').gpu == false
        assert load('notify').failBuild == false // from the defaults' stage section
    }

    @Test
    void 'the repository config is read with readTrusted by default, so untrusted changes cannot rebind credentials'() {
        load('load')
        assert h.call('readTrusted').args == ['mlsecops.yaml']
        assert h.calls('readFile').empty
    }

    @Test
    void 'with trustedConfig false the repository config is read from the agent workspace'() {
        h.env.NODE_NAME = 'agent-1'
        repoConfig('label: from-workspace')
        Map cfg = load('load', [trustedConfig: false])
        assert h.calls('readTrusted').empty
        assert h.call('readFile').args == [[file: 'mlsecops.yaml']]
        assert cfg.label == 'from-workspace'
    }

    @Test
    void 'trustedConfig in the repository config does not change how the repository config is read'() {
        repoConfig('trustedConfig: false')
        h.env.NODE_NAME = 'agent-1'
        load('load')
        assert h.calls('readTrusted').size() == 1
        assert h.calls('readFile').empty
    }

    @Test
    void 'without a jenkins section the defaults apply'() {
        Map cfg = load('store')
        assert cfg.stash == true
        assert cfg.publish == true
    }

    @Test
    void 'a jenkins section that is not a map is an error'() {
        h.files['mlsecops.yaml'] = 'jenkins: docker\n'
        try {
            load('load')
            assert false: 'expected an error'
        } catch (mlsecops.harness.AbortException e) {
            assert e.message == "[mlsecops] mlsecops.yaml: 'jenkins' must be a map"
        }
    }

    @Test
    void 'merge is deep for maps and leaves its arguments unchanged'() {
        Map base = [a: 1, m: [x: 1, y: 2], l: [1, 2]]
        Map over = [m: [y: 3], l: [9], b: null]
        assert Config.merge(base, over) == [a: 1, m: [x: 1, y: 3], l: [9]]
        assert base == [a: 1, m: [x: 1, y: 2], l: [1, 2]]
        assert over == [m: [y: 3], l: [9], b: null]
    }

}
