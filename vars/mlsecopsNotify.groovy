import org.mlsecops.Config
import org.mlsecops.StepParams

/**
 * Send the pipeline's state to the configured sinks (Slack, Telegram, PagerDuty, DefectDojo,
 * Elasticsearch, Prometheus). Never fails the build by itself. See mlsecopsNotify.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [
        // started, gate-failed, succeeded or error
        event: 'succeeded',
    ]
    StepParams.check(this, 'mlsecopsNotify', params, defaults)
    String event = (params.event ?: defaults.event) as String
    if (!(event in ['started', 'gate-failed', 'succeeded', 'error'])) {
        error "[mlsecopsNotify] event must be started, gate-failed, succeeded or error, not '${event}'"
    }
    Map common = Config.pick(params, StepParams.COMMON.keySet())
    // notifications send the reports; they do not publish them (publish: true to change that)
    mlsecopsWorker([publish: false] + common + [step: 'mlsecopsNotify', stage: 'notify',
                                                command: ['notify', '--event', event]])
}
