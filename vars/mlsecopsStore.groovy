import org.mlsecops.Config
import org.mlsecops.StepParams

/**
 * Stage 10: upload the signed model, its signature, reports and ML-BOM to the configured
 * store and verify them after upload. See mlsecopsStore.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [
        // overwrite an existing version in the store (`store --force`)
        force: false,
    ]
    StepParams.check(this, 'mlsecopsStore', params, defaults)
    List<String> command = params.force ? ['store', '--force'] : ['store']
    Map common = Config.pick(params, StepParams.COMMON.keySet())
    mlsecopsWorker(common + [step: 'mlsecopsStore', stage: 'store', command: command])
}
