import org.mlsecops.StepParams

/**
 * Stage 6: metrics on held-out data against thresholds and the last released model;
 * a metric under its threshold fails the build.
 * See mlsecopsEvaluate.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [:] // evaluate has no parameters of its own
    StepParams.check(this, 'mlsecopsEvaluate', params, defaults)
    mlsecopsWorker(params + [step: 'mlsecopsEvaluate', stage: 'evaluate', command: ['evaluate']])
}
