package mlsecops.test

import org.codehaus.groovy.ast.ClassCodeVisitorSupport
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.expr.ClosureExpression
import org.codehaus.groovy.ast.expr.ListExpression
import org.codehaus.groovy.ast.expr.MapExpression
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.ArgumentListExpression
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.Phases
import org.codehaus.groovy.control.SourceUnit
import org.codehaus.groovy.runtime.DefaultGroovyMethods
import org.junit.Test

/**
 * The library must also work when it is NOT trusted (registered at folder level, sandboxed):
 * every Groovy extension method (DefaultGroovyMethods) it calls must be on script-security's
 * generic whitelist (vendored in tests/groovy/fixtures/script-security/, with its origin), for
 * the receiver it is called on where the source shows it (a list or map literal). CPS rule:
 * iteration methods taking a closure (each, collect, findAll, ...) only inside @NonCPS methods,
 * where they run as plain Groovy.
 */
class SandboxTest {

    static File getROOT() { return new File(System.getProperty('mlsecops.root', '.')) } // read per use: MutationTest points it at a mutant

    static final List<String> ITERATORS = ['each', 'eachWithIndex', 'collect', 'collectEntries', 'collectMany', 'findAll', 'find',
                                           'any', 'every', 'sort', 'inject', 'groupBy', 'count', 'unique', 'findResult', 'sum']

    /** method name -> receiver types the whitelist allows it on (extension methods and instance methods) */
    static Map<String, Set<String>> whitelist() {
        Map<String, Set<String>> result = [:].withDefault { [] as Set }
        new File(ROOT, 'tests/groovy/fixtures/script-security/generic-whitelist').eachLine { String line ->
            List<String> words = line.tokenize(' ')
            if (words.size() >= 4 && words[1] in ['org.codehaus.groovy.runtime.DefaultGroovyMethods', 'org.codehaus.groovy.runtime.StringGroovyMethods']) {
                result[words[2]] << words[3] // staticMethod DGM name receiver ...
            } else if (words.size() >= 3 && words[0] == 'method') {
                result[words[2]] << words[1] // method receiver name ...
            }
        }
        return result
    }

    /** [file, method, call, receiver kind, inNonCps, hasClosure] of every call in vars/ and src/ */
    static List<Map> calls() {
        List<Map> found = []
        List<File> files = []
        new File(ROOT, 'vars').eachFileMatch(~/.*\.groovy/) { files << it }
        new File(ROOT, 'src').eachFileRecurse { if (it.name.endsWith('.groovy')) { files << it } }
        files.each { File file ->
            CompilationUnit unit = new CompilationUnit()
            unit.addSource(file.name, file.text)
            unit.compile(Phases.CONVERSION)
            unit.AST.modules.each { module ->
                module.classes.each { ClassNode cls ->
                    SourceUnit source = module.context
                    List<MethodNode> current = [null] // [0]: the method being visited; null: a field initializer
                    new ClassCodeVisitorSupport() {

                        @Override
                        protected SourceUnit getSourceUnit() { return source }

                        @Override
                        protected void visitConstructorOrMethod(MethodNode node, boolean isConstructor) {
                            current[0] = node
                            super.visitConstructorOrMethod(node, isConstructor)
                            current[0] = null
                        }

                        @Override
                        void visitMethodCallExpression(MethodCallExpression call) {
                            Object receiver = call.objectExpression
                            String kind = receiver instanceof ListExpression ? 'java.util.List' :
                                receiver instanceof MapExpression ? 'java.util.Map' : null
                            boolean closure = call.arguments instanceof ArgumentListExpression &&
                                (call.arguments as ArgumentListExpression).expressions.any { it instanceof ClosureExpression }
                            boolean nonCps = current[0]?.annotations?.any { it.classNode.nameWithoutPackage == 'NonCPS' } ?: false
                            found << [file: file.name, method: current[0]?.name ?: '<field>', call: call.methodAsString,
                                      receiver: kind, nonCps: nonCps, closure: closure, implicitThis: call.implicitThis]
                            super.visitMethodCallExpression(call)
                        }
                    }.visitClass(cls)
                }
            }
        }
        return found
    }

    /** Steps called on the script whose namesake extension method takes a receiver the script never is (deleteDir(File)). */
    static final List<String> STEPS_NOT_DGM = ['deleteDir']

    static Set<String> dgmNames() {
        return ((DefaultGroovyMethods.methods + org.codehaus.groovy.runtime.StringGroovyMethods.methods).collect { it.name } as Set) -
            STEPS_NOT_DGM
    }

    @Test
    void 'every Groovy extension method the library calls is on the sandbox whitelist'() {
        Map<String, Set<String>> allowed = whitelist()
        Set<String> dgm = dgmNames()
        List<String> problems = []
        calls().findAll { !it.implicitThis && it.call in dgm }.each { Map c ->
            Set<String> receivers = allowed[c.call as String]
            if (!receivers) {
                problems << "${c.file} ${c.method}: ${c.call} is not whitelisted for any receiver".toString()
            } else if (c.receiver && !(receivers.any { it in [c.receiver, 'java.util.Collection', 'java.lang.Iterable', 'java.lang.Object'] })) {
                problems << "${c.file} ${c.method}: ${c.call} on a ${c.receiver} is not whitelisted (only on ${receivers})".toString()
            }
        }
        assert problems == []
    }

    @Test
    void 'closures are iterated only in NonCPS methods'() {
        List<String> problems = calls().findAll { it.closure && !it.nonCps && it.call in ITERATORS && !it.implicitThis }.collect {
            "${it.file} ${it.method}: ${it.call} { } outside @NonCPS".toString()
        }
        assert problems == []
    }

    @Test
    void 'the check sees a list asImmutable, which the sandbox rejects'() {
        assert !(whitelist()['asImmutable'].contains('java.util.List'))
        assert whitelist()['asImmutable'].contains('java.util.Map')
    }

}
