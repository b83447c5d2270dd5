package mlsecops.test

import mlsecops.harness.MiniYaml
import org.junit.Test

/** The harness's readYaml: the YAML the library's resources and the tests use. */
class MiniYamlTest {

    @Test
    void 'block maps, lists, flow collections, scalars and comments'() {
        Map doc = MiniYaml.parse('''\
            # comment
            a: 1
            b: 'it''s # not a comment'   # a comment
            c: "x\\ty"
            d: [one, 'two', 3]
            e: {k: v, n: {m: true}}
            f:
              - x
              - k: 1
                j: 2
            g:
            h: ~
            i: 1.5
            j: --entrypoint=
            k: H 2 * * *
            l: []
            '''.stripIndent()) as Map
        assert doc == [a: 1, b: "it's # not a comment", c: 'x\ty', d: ['one', 'two', 3], e: [k: 'v', n: [m: true]],
                       f: ['x', [k: 1, j: 2]], g: null, h: null, i: 1.5, j: '--entrypoint=', k: 'H 2 * * *', l: []]
    }

    @Test
    void 'the library defaults parse'() {
        Map defaults = MiniYaml.parse(new File(System.getProperty('mlsecops.root', '.'), 'resources/org/mlsecops/defaults.yaml').text) as Map
        assert defaults.credentials.SLACK_WEBHOOK_URL == [enabled: false, id: 'mlsecops-slack-webhook', type: 'string', stages: ['notify']]
        assert defaults.kubernetes.nodeSelector == [:]
        assert defaults.stages.train == [gpu: false]
    }

    @Test(expected = IllegalArgumentException)
    void 'bad indentation is an error'() {
        MiniYaml.parse('a:\n  b: 1\n c: 2\n')
    }

}
