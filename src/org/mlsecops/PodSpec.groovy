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
        Map container = [name: k8s.container, image: cfg.image, command: ['sleep'], args: ['infinity'],
                         resources: resources]
        Map spec = [containers: [container]]
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
