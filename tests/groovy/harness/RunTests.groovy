package mlsecops.harness

import org.junit.runner.JUnitCore
import org.junit.runner.Request
import org.junit.runner.Result
import org.junit.internal.TextListener

/**
 * Runs the given JUnit 4 test classes; prints failures and a last line
 * "N passed, N failed"; exits non-zero when a test failed or none ran.
 */
class RunTests {

    static void main(String[] args) {
        JUnitCore core = new JUnitCore()
        core.addListener(new TextListener(System.out))
        List<Class> classes = args.collect { Class.forName(it) }
        Result result = core.run(classes as Class[])
        int failed = result.failureCount
        int passed = result.runCount - failed
        System.out.println("${passed} passed, ${failed} failed")
        System.exit(failed == 0 && result.runCount > 0 ? 0 : 1)
    }

}
