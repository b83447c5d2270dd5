package mlsecops.test

import mlsecops.harness.ReadYaml
import org.junit.Test

/** The harness's readYaml is SnakeYAML's YAML 1.1, as Jenkins' readYaml: its surprises show in tests too. */
class ReadYamlTest {

    @Test
    void 'YAML 1-1 scalars as in Jenkins: on and no are booleans, 0755 is octal, a date is a Date'() {
        Map doc = ReadYaml.parse('a: on\nb: no\nc: 0755\nd: 2024-01-02\ne: --entrypoint=\nf: H 2 * * *\n') as Map
        assert doc.a == true && doc.b == false
        assert doc.c == 493
        assert doc.d instanceof Date
        assert doc.e == '--entrypoint=' && doc.f == 'H 2 * * *'
    }

    @Test
    void 'the library resources parse'() {
        File resources = new File(System.getProperty('mlsecops.root', '.'), 'resources/org/mlsecops')
        Map manifest = ReadYaml.parse(new File(resources, 'stages.yaml').text) as Map
        assert (manifest.stages as List)*.name.contains('gate-security')
        assert (manifest.stages as List).find { it.name == 'gate-model' }.command == ['gate', '--stage', 'model']
        assert (ReadYaml.parse(new File(resources, 'defaults.yaml').text) as Map).image =~ /:\d+\.\d+\.\d+$/
    }

}
