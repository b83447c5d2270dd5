package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS
import groovy.json.JsonOutput

/**
 * The pod of a step on Kubernetes: the worker image as container {@code kubernetes.container}
 * beside the plugin's jnlp container, with resource requests, and for a GPU stage the GPU
 * resource limit and node selector. Rendered as JSON, which podTemplate reads as YAML.
 */
class PodSpec implements Serializable {

    private static final long serialVersionUID = 1L

    @NonCPS
    static Map pod(Map cfg) {
        Map k8s = (cfg.kubernetes ?: [:]) as Map
        Map resources = [requests: [cpu: k8s.cpu as String, memory: k8s.memory as String]]
        Map nodeSelector = [:]
        nodeSelector.putAll((k8s.nodeSelector ?: [:]) as Map)
        if (cfg.gpu) {
            resources.limits = [(k8s.gpuResource as String): k8s.gpuCount as Integer]
            nodeSelector.putAll((k8s.gpuNodeSelector ?: [:]) as Map)
        }
        Map container = [name: k8s.container, image: Worker.image(cfg), command: ['sleep'], args: ['infinity'],
                         resources: resources]
        // The jnlp agent (uid 1000) creates the workspace and the image's own user is 10001:
        // one uid for the whole pod (the image's caches are writable by any uid, as
        // for docker.inside, which runs as the agent's uid) and fsGroup on the volumes.
        Map security = (k8s.securityContext ?: [:]) as Map
        container.securityContext = [allowPrivilegeEscalation: false]
        Map spec = [containers: [container],
                    securityContext: [runAsUser: security.runAsUser as Long, runAsGroup: security.runAsGroup as Long,
                                      fsGroup: security.fsGroup as Long, runAsNonRoot: true]]
        if (k8s.tolerations) {
            spec.tolerations = k8s.tolerations
        }
        if (cfg.gpu && k8s.gpuTolerations) {
            spec.tolerations = ((spec.tolerations ?: []) as List) + (k8s.gpuTolerations as List)
        }
        if (k8s.imagePullSecrets) {
            spec.imagePullSecrets = (k8s.imagePullSecrets as List).collect { [name: it] }
        }
        if (nodeSelector) {
            spec.nodeSelector = nodeSelector
        }
        if (k8s.serviceAccount) {
            spec.serviceAccountName = k8s.serviceAccount
        }
        return [apiVersion: 'v1', kind: 'Pod',
                metadata: [labels: ['app.kubernetes.io/name': 'mlsecops-worker']],
                spec: spec]
    }

    @NonCPS
    static String yaml(Map cfg) {
        return JsonOutput.prettyPrint(JsonOutput.toJson(pod(cfg)))
    }

    /** The arguments of podTemplate (without the body). */
    @NonCPS
    static Map templateArgs(Map cfg) {
        Map k8s = (cfg.kubernetes ?: [:]) as Map
        Map args = [cloud: k8s.cloud, yaml: yaml(cfg)]
        if (k8s.namespace) {
            args.namespace = k8s.namespace
        }
        return args
    }

}
