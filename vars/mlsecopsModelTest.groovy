import org.mlsecops.StepParams

/**
 * Stage 7: model-file scanning, LLM probing (garak), prompt injection, poisoning and
 * disclosure tests; records findings.
 * See mlsecopsModelTest.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [:] // modeltest has no parameters of its own
    StepParams.check(this, 'mlsecopsModelTest', params, defaults)
    mlsecopsWorker(params + [step: 'mlsecopsModelTest', stage: 'modeltest', command: ['modeltest']])
}
