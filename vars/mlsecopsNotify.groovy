import org.mlsecops.Config
import org.mlsecops.StepParams

/**
 * Send the pipeline's state to the configured sinks (Slack, Telegram, PagerDuty, DefectDojo,
 * Elasticsearch, Prometheus). Never fails the build by itself. See mlsecopsNotify.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [
        // an event of resources/org/mlsecops/events.yaml marked `step: true`
        event: 'succeeded',
    ]
    StepParams.check(this, 'mlsecopsNotify', params, defaults)
    String event = (params.event ?: defaults.event) as String
    // the one list of events both sides read: resources/org/mlsecops/events.yaml
    Map catalogue = readYaml(text: libraryResource('org/mlsecops/events.yaml')) as Map
    List<String> allowed = []
    for (Map entry in (catalogue.events as List<Map>)) {
        if (entry.step) {
            allowed << (entry.name as String)
        }
    }
    if (!(event in allowed)) {
        error "[mlsecopsNotify] event must be one of ${allowed.join(', ')}, not '${event}'"
    }
    Map common = Config.pick(params, StepParams.COMMON.keySet())
    // notifications send the reports; they do not publish them (publish: true to change that)
    mlsecopsWorker([publish: false] + common + [step: 'mlsecopsNotify', stage: 'notify',
                                                command: ['notify', '--event', event]])
}
