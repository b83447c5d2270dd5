package mlsecops.harness

/**
 * The parameter names (and, where the plugin restricts them, values) each mocked step accepts,
 * as the plugins' @DataBoundConstructor/@DataBoundSetter declare them, and the steps that need
 * a workspace (a node): called outside one, Jenkins fails with "Required context class
 * hudson.FilePath is missing". A mock given anything else fails the test.
 */
class StepRules {

    /** step -> accepted named parameters (plugin versions: see README "Plugins it needs"). */
    static final Map<String, List<String>> PARAMETERS = [
        sh                      : ['script', 'label', 'returnStatus', 'returnStdout', 'encoding'],
        stash                   : ['name', 'includes', 'excludes', 'useDefaultExcludes', 'allowEmpty'],
        unstash                 : ['name'],
        junit                   : ['testResults', 'allowEmptyResults', 'skipMarkingBuildUnstable', 'keepLongStdio',
                                   'healthScaleFactor', 'skipPublishingChecks', 'checksName', 'testDataPublishers'],
        recordIssues            : ['id', 'name', 'tools', 'tool', 'enabledForFailure', 'aggregatingResults',
                                   'qualityGates', 'skipBlames', 'skipPublishingChecks', 'sourceCodeEncoding'],
        sarif                   : ['pattern', 'id', 'name', 'reportEncoding'],
        publishHTML             : ['target'],
        archiveArtifacts        : ['artifacts', 'allowEmptyArchive', 'fingerprint', 'excludes', 'onlyIfSuccessful',
                                   'caseSensitive', 'defaultExcludes', 'followSymlinks'],
        updateGitlabCommitStatus: ['name', 'state'],
        publishChecks           : ['name', 'title', 'summary', 'text', 'status', 'conclusion', 'detailsURL', 'actions',
                                   'annotations', 'images'],
        withVault               : ['configuration', 'vaultSecrets'],
        string                  : ['credentialsId', 'variable', 'name', 'defaultValue', 'description', 'trim'],
        usernamePassword        : ['credentialsId', 'usernameVariable', 'passwordVariable'],
        file                    : ['credentialsId', 'variable'],
        podTemplate             : ['cloud', 'yaml', 'namespace', 'label', 'inheritFrom', 'serviceAccount',
                                   'nodeSelector', 'containers', 'volumes', 'idleMinutes', 'podRetention',
                                   'yamlMergeStrategy', 'showRawYaml', 'imagePullSecrets', 'activeDeadlineSeconds'],
        lock                    : ['resource', 'label', 'quantity', 'variable', 'inversePrecedence', 'skipIfLocked'],
        timeout                 : ['time', 'unit', 'activity'],
        retry                   : ['count', 'conditions'],
        checkout                : ['scm', 'poll', 'changelog', '$class', 'branches', 'userRemoteConfigs', 'extensions'],
        disableConcurrentBuilds : ['abortPrevious'],
        preserveStashes         : ['buildCount'],
    ]

    static final Map<String, List<String>> VALUES = [
        'updateGitlabCommitStatus.state': ['pending', 'running', 'canceled', 'success', 'failed', 'skipped'],
        'publishChecks.status'          : ['NONE', 'QUEUED', 'IN_PROGRESS', 'COMPLETED'],
        'publishChecks.conclusion'      : ['NONE', 'ACTION_REQUIRED', 'SKIPPED', 'CANCELED', 'TIME_OUT', 'FAILURE',
                                           'NEUTRAL', 'SUCCESS'],
        'timeout.unit'                  : ['NANOSECONDS', 'MICROSECONDS', 'MILLISECONDS', 'SECONDS', 'MINUTES', 'HOURS',
                                           'DAYS'],
    ]

    /** Steps that run on an agent's workspace. */
    static final List<String> NEED_NODE = ['sh', 'stash', 'unstash', 'checkout', 'readFile', 'writeFile', 'fileExists',
                                           'junit', 'archiveArtifacts', 'recordIssues', 'publishHTML', 'container',
                                           'readJSON', 'dir', 'ws', 'deleteDir']

    static void check(String step, List args, boolean onNode) {
        if (step in NEED_NODE && !onNode) {
            throw new IllegalStateException("${step}: Required context class hudson.FilePath is missing " +
                                            '(perhaps you forgot to surround the code with a step that provides this, such as: node)')
        }
        List<String> accepted = PARAMETERS[step]
        Map named = args && args[0] instanceof Map ? args[0] as Map : null
        if (accepted == null || named == null) {
            return
        }
        List unknown = named.keySet().findAll { !(it in accepted) } as List
        if (unknown) {
            throw new IllegalArgumentException("${step}: unknown parameter(s) ${unknown} (accepted: ${accepted})")
        }
        named.each { key, value ->
            List<String> allowed = VALUES["${step}.${key}".toString()]
            if (allowed != null && !(value in allowed)) {
                throw new IllegalArgumentException("${step}: ${key} '${value}' is not one of ${allowed}")
            }
        }
        if (step == 'retry' && named.conditions != null) {
            (named.conditions as List).each { Object c ->
                if (!(c instanceof Map && (c as Map).condition in ['agent', 'kubernetesAgent', 'nonresumable'])) {
                    throw new IllegalArgumentException("retry: ${c} is not an error condition")
                }
            }
        }
        if (step == 'publishHTML') {
            List<String> target = ['reportDir', 'reportFiles', 'reportName', 'keepAll', 'alwaysLinkToLastBuild', 'allowMissing',
                                   'includes', 'escapeUnderscores', 'reportTitles', 'useWrapperFileDirectly']
            List bad = (named.target as Map).keySet().findAll { !(it in target) } as List
            if (bad) {
                throw new IllegalArgumentException("publishHTML: unknown target parameter(s) ${bad}")
            }
        }
        if (step == 'withVault') {
            (named.vaultSecrets as List).each { Map secret ->
                List bad = secret.keySet().findAll { !(it in ['path', 'engineVersion', 'secretValues']) } as List
                (secret.secretValues as List).each { Map v -> bad.addAll(v.keySet().findAll { !(it in ['envVar', 'vaultKey']) }) }
                if (bad) {
                    throw new IllegalArgumentException("withVault: unknown vaultSecrets parameter(s) ${bad}")
                }
            }
            List badConfig = (named.configuration as Map).keySet().findAll {
                !(it in ['vaultUrl', 'vaultCredentialId', 'engineVersion', 'vaultNamespace', 'skipSslVerification', 'timeout'])
            } as List
            if (badConfig) {
                throw new IllegalArgumentException("withVault: unknown configuration parameter(s) ${badConfig}")
            }
        }
    }

}
