import org.mlsecops.StepParams

/**
 * Re-render .mlsecops/reports/ from whatever stages ran (`mlsecops report`) and publish it:
 * junit, SARIF, archived reports, ML-BOM and signature, summary.html. Meant for `post { always }`.
 * See mlsecopsReport.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [:] // report has no parameters of its own
    StepParams.check(this, 'mlsecopsReport', params, defaults)
    mlsecopsWorker([publish: true] + params + [step: 'mlsecopsReport', stage: 'report', command: ['report']])
}
