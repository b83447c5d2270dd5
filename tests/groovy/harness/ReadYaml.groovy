package mlsecops.harness

import org.yaml.snakeyaml.LoaderOptions
import org.yaml.snakeyaml.Yaml
import org.yaml.snakeyaml.constructor.SafeConstructor

/**
 * readYaml as pipeline-utility-steps implements it: SnakeYAML (YAML 1.1) with its
 * SafeConstructor, so `on`/`no` are booleans, 0755 is octal and 2024-01-02 a Date, as in Jenkins.
 */
class ReadYaml {

    static Object parse(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text)
    }

}
