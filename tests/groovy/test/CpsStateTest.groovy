package mlsecops.test

import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.FieldNode
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.Phases
import org.junit.Test

/**
 * CPS rule: a pipeline's state is serialized at every step (to survive a controller restart), so
 * every class of src/org/mlsecops (its instances are step fields, or passed across steps) implements
 * Serializable, and no instance field holds a type that cannot be serialized (a Matcher, an Iterator,
 * a stream): Jenkins fails such a build with NotSerializableException at the next step.
 */
class CpsStateTest {

    static File getROOT() { return new File(System.getProperty('mlsecops.root', '.')) } // MutationTest points it at a mutant

    static final List<String> NOT_SERIALIZABLE = ['Matcher', 'Iterator', 'ListIterator', 'Enumeration', 'Scanner',
                                                  'InputStream', 'OutputStream', 'Reader', 'Writer', 'Thread',
                                                  'JsonSlurper', 'Socket', 'HttpURLConnection', 'URLConnection']

    static List<ClassNode> classes() {
        List<ClassNode> found = []
        new File(ROOT, 'src').eachFileRecurse { File file ->
            if (file.name.endsWith('.groovy')) {
                CompilationUnit unit = new CompilationUnit()
                unit.addSource(file.name, file.text)
                unit.compile(Phases.CONVERSION)
                unit.AST.modules.each { found.addAll(it.classes) }
            }
        }
        return found
    }

    @Test
    void 'every library class is Serializable and holds no field of a non-serializable type'() {
        List<String> problems = []
        classes().each { ClassNode cls ->
            if (!cls.interface && !cls.interfaces*.nameWithoutPackage.contains('Serializable')) {
                problems << "${cls.nameWithoutPackage}: does not implement Serializable".toString()
            }
            cls.fields.findAll { FieldNode f -> !f.static }.each { FieldNode f ->
                if (f.type.nameWithoutPackage in NOT_SERIALIZABLE) {
                    problems << "${cls.nameWithoutPackage}.${f.name}: a ${f.type.nameWithoutPackage} is not serializable".toString()
                }
            }
        }
        assert classes().size() >= 10 // the check saw the library
        assert problems == []
    }

}
