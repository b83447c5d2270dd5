import org.mlsecops.StepParams

/**
 * Stage 4b (optional, mlsecops.yaml `redact.enabled`): `mlsecops redact-dataset` writes
 * .mlsecops/redact/<file>, train.dataset with every PII entity replaced; train then reads that copy.
 * See mlsecopsRedact.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [:] // redact has no parameters of its own: its methods are in mlsecops.yaml
    StepParams.check(this, 'mlsecopsRedact', params, defaults)
    mlsecopsWorker(params + [step: 'mlsecopsRedact', stage: 'redact', command: ['redact-dataset']])
}
