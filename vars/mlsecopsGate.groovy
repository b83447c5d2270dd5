import org.mlsecops.Config
import org.mlsecops.StepParams

/**
 * Stages 4 and 8: the policy gate over the findings (`gate --stage security|model`).
 * A failed gate fails the build with the gate's reason as the build description.
 * See mlsecopsGate.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [
        // which gate: 'security' (stage 4, after scan) or 'model' (stage 8, after modeltest)
        gate: 'security',
    ]
    StepParams.check(this, 'mlsecopsGate', params, defaults)
    String gate = (params.gate ?: defaults.gate) as String
    if (!(gate in ['security', 'model'])) {
        error "[mlsecopsGate] gate must be 'security' or 'model', not '${gate}'"
    }
    Map common = Config.pick(params, StepParams.COMMON.keySet())
    mlsecopsWorker(common + [step: 'mlsecopsGate', stage: "gate-${gate}".toString(),
                             command: ['gate', '--stage', gate]])
}
