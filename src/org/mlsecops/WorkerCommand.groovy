package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/**
 * The worker's command line and the shell script around it.
 *
 * Every word is quoted for a POSIX shell unless it is made of characters that need no
 * quoting, so a configuration value can never become shell syntax. No secret is ever part
 * of the script: the worker reads credentials from its environment.
 */
class WorkerCommand implements Serializable {

    private static final long serialVersionUID = 1L

    /** {@code mlsecops --config FILE --workspace DIR COMMAND ARGS...} */
    @NonCPS
    static String line(Map cfg, List<String> args) {
        List<String> words = [cfg.executable ?: 'mlsecops', '--config', cfg.configFile, '--workspace', cfg.workspace]
        words.addAll(args)
        return words.collect { quote(String.valueOf(it)) }.join(' ')
    }

    /**
     * The {@code sh} script (POSIX sh): runs the worker with its stderr streamed to the build log
     * as it is written and copied to {@code stderrLog} (so the step can report the worker's
     * one-line message), and exits with the worker's exit code. stdout goes through fd 3, so
     * only stderr passes through tee; the exit code travels in a file, as a pipeline's status
     * is tee's.
     */
    @NonCPS
    static String script(Map cfg, List<String> args, String stderrLog) {
        String log = quote(stderrLog)
        String rc = quote("${stderrLog}.rc".toString())
        String dir = quote(stderrLog.contains('/') ? stderrLog.substring(0, stderrLog.lastIndexOf('/')) : '.')
        return [
            "mkdir -p ${dir}",
            "echo 3 > ${rc}",
            "{ { ${line(cfg, args)}; echo \$? > ${rc}; } 2>&1 1>&3 3>&- | tee ${log} 1>&2 3>&-; } 3>&1",
            "rc=\$(cat ${rc})",
            'exit "$rc"',
        ].join('\n')
    }

    /** {@code word} quoted for a POSIX shell: unchanged when safe, else in single quotes. */
    @NonCPS
    static String quote(String word) {
        if (word ==~ /[A-Za-z0-9_.\/:,@%+-]+/) {
            return word
        }
        return "'" + word.replace("'", "'\"'\"'") + "'"
    }

}
