import org.mlsecops.StepParams

/**
 * Stage 2: fetch the allowlisted, sha256-pinned datasets, models, notebooks and requirements
 * into .mlsecops/load/. See mlsecopsLoad.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [:] // load has no parameters of its own
    StepParams.check(this, 'mlsecopsLoad', params, defaults)
    mlsecopsWorker(params + [step: 'mlsecopsLoad', stage: 'load', command: ['load']])
}
