package org.mlsecops

/**
 * Publishes the worker's reports: JUnit, SARIF (Warnings NG), archived reports, ML-BOM and
 * signature, and summary.html when the HTML Publisher plugin is installed.
 */
class Reports implements Serializable {

    private static final long serialVersionUID = 1L

    static Map paths(Map cfg) {
        String reports = "${cfg.workspace}/reports"
        return [
            junit: "${reports}/junit.xml".toString(),
            sarif: "${reports}/findings.sarif".toString(),
            dir: reports.toString(),
            html: 'summary.html',
            archive: "${reports}/**,${cfg.workspace}/sign/model.sig".toString(),
        ]
    }

    /** {@code id} names this publication in the build (one per stage that publishes). */
    static void publish(Object script, Map cfg, String id) {
        Map p = paths(cfg)
        if (script.fileExists(p.junit)) {
            // the gates judge the findings: a failed test case must not turn a passed build UNSTABLE
            script.junit(testResults: p.junit, allowEmptyResults: true, skipMarkingBuildUnstable: true)
        }
        if (script.fileExists(p.sarif)) {
            script.recordIssues(id: id, name: "mlsecops ${id}".toString(), enabledForFailure: true,
                                tools: [script.sarif(pattern: p.sarif)])
        }
        script.archiveArtifacts(artifacts: p.archive, allowEmptyArchive: true, fingerprint: true)
        if (script.fileExists("${p.dir}/${p.html}")) {
            try {
                script.publishHTML(target: [reportDir: p.dir, reportFiles: p.html, reportName: 'mlsecops summary',
                                            keepAll: true, alwaysLinkToLastBuild: true, allowMissing: true])
            } catch (NoSuchMethodError ignored) {
                script.echo('[mlsecops] HTML Publisher plugin not installed: summary.html is archived only')
            }
        }
    }

}
