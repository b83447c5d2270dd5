package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/**
 * Piper's handlePipelineStepErrors, in small: runs a step's body with an optional per-step
 * timeout and, when the step fails, says in the log which step failed, with which (non-secret)
 * parameters, and where its documentation is, before the error goes on.
 */
class StepErrors implements Serializable {

    private static final long serialVersionUID = 1L

    static final String DOCS = 'the README of the mlsecops library, "Use it from Jenkins"'

    /** Parameters worth showing: placement and command, never credentials or the repository's config. */
    static final List<String> SHOWN = ['stage', 'branch', 'command', 'image', 'agent', 'label', 'gpu', 'configFile',
                                       'workspace']

    @SuppressWarnings('CatchException') // any failure of a step is explained, then rethrown unchanged
    static Object handle(Object script, String step, Map params, Integer timeoutMinutes, Closure body) {
        try {
            if (timeoutMinutes) {
                return script.timeout(time: timeoutMinutes, unit: 'MINUTES') { body() }
            }
            return body()
        } catch (InterruptedException e) {
            throw e // an abort or a timeout: nothing to explain
        } catch (Exception e) {
            script.echo(describe(step, params, e.message))
            throw e
        }
    }

    @NonCPS
    static String describe(String step, Map params, String message) {
        Map shown = [:]
        SHOWN.each { key ->
            if (params?.get(key) != null) {
                shown[key] = params[key]
            }
        }
        return "----------------------------------------------------------\n" +
               "[${step}] failed: ${message}\n" +
               "parameters: ${shown}\n" +
               "documentation: vars/${step}.txt (Pipeline Syntax > Global Variables Reference), ${DOCS}\n" +
               '----------------------------------------------------------'
    }

}
