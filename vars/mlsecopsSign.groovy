import org.mlsecops.StepParams

/**
 * Stage 9: OpenSSF model signing (Sigstore bundle .mlsecops/sign/model.sig); needs both gates passed and a key.
 * See mlsecopsSign.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [:] // sign has no parameters of its own
    StepParams.check(this, 'mlsecopsSign', params, defaults)
    mlsecopsWorker(params + [step: 'mlsecopsSign', stage: 'sign', command: ['sign']])
}
