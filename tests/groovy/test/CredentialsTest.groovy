package mlsecops.test

import mlsecops.harness.ReadYaml
import org.junit.Test

/**
 * Credentials reach the worker only as environment variables bound by withCredentials /
 * withVault around its sh; their values never appear in a step argument, and the library
 * never interpolates a credential variable.
 */
class CredentialsTest extends LibraryTestCase {

    /** Every credential of defaults.yaml enabled, and a Vault secret for every stage. */
    public static final String ALL_STAGES = '[load, scan, gate-security, train, evaluate, modeltest, gate-model, sign, store, notify, report]'

    public static final String EVERYTHING_ENABLED = ([
        'vault:',
        '  enabled: true',
        '  url: https://vault.example.com:8200',
        '  secrets:',
        '    - path: secret/mlsecops/signing',
        "      stages: ${ALL_STAGES}",
        '      values: {MLSECOPS_SIGNING_KEY_PASSWORD: key_password, ELASTIC_API_KEY: elastic}',
        'credentials:',
    ] + credentialNames().collect { "  ${it}: {enabled: true, stages: ${ALL_STAGES}}" }).join('\n')

    static List<String> credentialNames() {
        Map defaults = ReadYaml.parse(new File(System.getProperty('mlsecops.root', '.'), 'resources/org/mlsecops/defaults.yaml').text) as Map
        return (defaults.credentials as Map).keySet() as List
    }

    /** Every variable a credential puts in the environment: the keys and their password variables. */
    static List<String> credentialVariables() {
        Map defaults = ReadYaml.parse(new File(System.getProperty('mlsecops.root', '.'), 'resources/org/mlsecops/defaults.yaml').text) as Map
        return (defaults.credentials as Map).collectMany { k, v -> [k, (v as Map).passwordVariable].findAll { it } } as List
    }

    @Test
    void 'the defaults map every credential the worker reads'() {
        assert credentialVariables().sort() == [
            'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DEFECTDOJO_API_KEY', 'ELASTIC_API_KEY',
            'MLSECOPS_FTP_PASSWORD', 'MLSECOPS_FTP_USER', 'MLSECOPS_NEXUS_PASSWORD', 'MLSECOPS_NEXUS_USER',
            'MLSECOPS_SIGNING_KEY', 'MLSECOPS_SIGNING_KEY_PASSWORD', 'PAGERDUTY_ROUTING_KEY', 'SLACK_WEBHOOK_URL',
            'TELEGRAM_BOT_TOKEN', 'VAULT_ROLE_ID', 'VAULT_SECRET_ID', 'VAULT_TOKEN',
        ]
    }

    @Test
    void 'no credential is bound unless enabled'() {
        h.run('mlsecopsNotify')
        assert h.calls('withCredentials').empty
        assert h.calls('withVault').empty
    }

    @Test
    void 'an enabled credential is bound around the worker of its stages only'() {
        repoConfig('''
            credentials:
              SLACK_WEBHOOK_URL: {enabled: true}''')
        h.run('mlsecopsNotify')
        assert h.call('string').args == [[credentialsId: 'mlsecops-slack-webhook', variable: 'SLACK_WEBHOOK_URL']]
        assert h.call('withCredentials').args == [[[$class: 'StringBinding', type: 'string', credentialsId: 'mlsecops-slack-webhook',
                                                    variable: 'SLACK_WEBHOOK_URL']]]
        assert h.call('sh').scope == ['retry', 'node()', 'docker(mlsecops/worker:0.1.0)', 'withCredentials']

        createHarness()
        repoConfig('''
            credentials:
              SLACK_WEBHOOK_URL: {enabled: true}''')
        h.run('mlsecopsTrain')
        assert h.calls('withCredentials').empty
    }

    @Test
    void 'usernamePassword binds the key as username and passwordVariable as password'() {
        repoConfig('''
            credentials:
              AWS_ACCESS_KEY_ID: {enabled: true, id: team-aws}
              MLSECOPS_NEXUS_USER: {enabled: true}''')
        h.run('mlsecopsStore')
        assert h.calls('usernamePassword')*.args == [
            [[credentialsId: 'team-aws', usernameVariable: 'AWS_ACCESS_KEY_ID', passwordVariable: 'AWS_SECRET_ACCESS_KEY']],
            [[credentialsId: 'mlsecops-nexus', usernameVariable: 'MLSECOPS_NEXUS_USER', passwordVariable: 'MLSECOPS_NEXUS_PASSWORD']],
        ]
        assert h.call('withCredentials').args[0].size() == 2
    }

    @Test
    void 'the signing key is a file credential and its password a string, bound for sign'() {
        repoConfig('''
            credentials:
              MLSECOPS_SIGNING_KEY: {enabled: true}
              MLSECOPS_SIGNING_KEY_PASSWORD: {enabled: true}''')
        h.run('mlsecopsSign')
        assert h.call('file').args == [[credentialsId: 'mlsecops-signing-key', variable: 'MLSECOPS_SIGNING_KEY']]
        assert h.call('string').args == [[credentialsId: 'mlsecops-signing-key-password', variable: 'MLSECOPS_SIGNING_KEY_PASSWORD']]
    }

    @Test
    void 'a team credential the manifest does not know is bound around the stages it lists'() {
        repoConfig('''
            credentials:
              TEAM_REPORT_TOKEN: {enabled: true, id: team-token, type: string, stages: [report]}''')
        h.run('mlsecopsReport')
        assert h.call('string').arg('variable') == 'TEAM_REPORT_TOKEN'
    }

    @Test
    void 'the stage manifest, not a stages list, decides where a known credential is bound'() {
        repoConfig('''
            credentials:
              DEFECTDOJO_API_KEY: {enabled: true, stages: [report]}''')
        h.run('mlsecopsReport')
        assert h.calls('withCredentials').empty
        createHarness()
        repoConfig('''
            credentials:
              DEFECTDOJO_API_KEY: {enabled: true}''')
        h.run('mlsecopsNotify')
        assert h.call('string').arg('variable') == 'DEFECTDOJO_API_KEY'
    }

    @Test
    void 'a credential of an unknown type is an error, before anything runs'() {
        repoConfig('''
            credentials:
              SLACK_WEBHOOK_URL: {enabled: true, type: certificate}''')
        assert h.runExpectingError('mlsecopsNotify').message ==
            "[mlsecops] credential SLACK_WEBHOOK_URL: type 'certificate' is not one of string, usernamePassword, file"
        assert h.calls('sh').empty
    }

    @Test
    void 'Vault secrets are bound with withVault, with VAULT_ADDR for the worker, around withCredentials'() {
        repoConfig('''
            vault:
              enabled: true
              url: https://vault.example.com:8200
              secrets:
                - path: secret/mlsecops/signing
                  stages: [sign]
                  values: {MLSECOPS_SIGNING_KEY_PASSWORD: key_password}
            credentials:
              MLSECOPS_SIGNING_KEY: {enabled: true}''')
        h.run('mlsecopsSign')
        assert h.call('withEnv').args == [['VAULT_ADDR=https://vault.example.com:8200']]
        assert h.call('withVault').args == [[
            configuration: [vaultUrl: 'https://vault.example.com:8200', vaultCredentialId: 'mlsecops-vault', engineVersion: 2],
            vaultSecrets : [[path        : 'secret/mlsecops/signing', engineVersion: 2,
                             secretValues: [[envVar: 'MLSECOPS_SIGNING_KEY_PASSWORD', vaultKey: 'key_password']]]],
        ]]
        assert h.call('sh').scope == ['retry', 'node()', 'docker(mlsecops/worker:0.1.0)', 'withEnv', 'withVault', 'withCredentials']
    }

    @Test
    void 'Vault secrets of other stages are not fetched'() {
        repoConfig('''
            vault:
              enabled: true
              url: https://vault.example.com:8200
              secrets:
                - path: secret/mlsecops/signing
                  stages: [sign]
                  values: {MLSECOPS_SIGNING_KEY_PASSWORD: key_password}''')
        h.run('mlsecopsTrain')
        assert h.calls('withVault').empty
    }

    @Test
    void 'no secret value reaches any step argument, build description or message, in any step'() {
        List<List> runs = [['mlsecopsLoad', [:]], ['mlsecopsScan', [:]], ['mlsecopsGate', [gate: 'security']], ['mlsecopsTrain', [:]],
                           ['mlsecopsEvaluate', [:]], ['mlsecopsModelTest', [:]], ['mlsecopsGate', [gate: 'model']],
                           ['mlsecopsSign', [:]], ['mlsecopsStore', [:]], ['mlsecopsNotify', [event: 'error']], ['mlsecopsReport', [:]]]
        Set<String> secrets = [] as Set
        runs.each { String step, Map params ->
            createHarness()
            repoConfig(EVERYTHING_ENABLED)
            h.onSh('mlsecops ') { 2 } // failing, so the failure path (messages, description) is covered too
            try {
                h.run(step, params)
            } catch (mlsecops.harness.AbortException ignored) {
                // expected for every step but notify
            }
            assert h.calls('sh').size() > 0: step
            secrets.addAll(h.secretValues)
            h.calls.each { call ->
                String text = call.args.toString()
                h.secretValues.each { secret -> assert !text.contains(secret): "${step}: ${call.name} got a credential value" }
            }
            h.secretValues.each { secret -> assert !String.valueOf(h.currentBuild.description).contains(secret) }
        }
        // the check above is not vacuous: every kind of binding put values in the environment
        assert secrets.any { it.startsWith('s3cr3t-value-of-') }
        assert secrets.any { it.startsWith('s3cr3t-password-of-') }
        assert secrets.any { it.contains('secretFiles') }
        assert secrets.any { it.startsWith('s3cr3t-vault-') }
    }

    @Test
    void 'the worker script names no credential variable: the worker reads its environment itself'() {
        repoConfig(EVERYTHING_ENABLED)
        h.run('mlsecopsStore')
        String script = h.call('sh').arg('script')
        credentialVariables().each { assert !script.contains(it) }
    }

    @Test
    void 'the library never interpolates or reads a credential variable in Groovy'() {
        List<File> sources = []
        new File(h.root, 'vars').eachFileMatch(~/.*\.groovy/) { sources << it }
        new File(h.root, 'src').eachFileRecurse { if (it.name.endsWith('.groovy')) { sources << it } }
        new File(h.root, 'resources/org/mlsecops/examples').eachFileMatch(~/.*Jenkinsfile/) { sources << it }
        sources << new File(h.root, 'Jenkinsfile.example')
        List<String> offences = []
        sources.each { File file ->
            String text = file.text
            List<String> gstrings = (text =~ /(?s)""".*?"""/).collect { it } + (text =~ /"(?:[^"\\\n]|\\.)*"/).collect { it }
            credentialVariables().each { name ->
                gstrings.findAll { it =~ /\$\{[^}]*\b${name}\b[^}]*\}|\$${name}\b/ }.each {
                    offences << "${file.name}: ${name} interpolated in ${it}".toString()
                }
                if (text =~ /env\s*\.\s*${name}\b|env\s*\[\s*['"]${name}['"]\s*\]|getenv\(\s*['"]${name}/) {
                    offences << "${file.name}: ${name} read from the environment".toString()
                }
            }
        }
        assert sources.size() > 10
        assert offences == []
    }

    @Test
    void 'the static check catches an interpolated credential'() {
        String offending = 'sh "curl -X POST ${env.SLACK_WEBHOOK_URL} -d @summary.json"'
        List<String> gstrings = (offending =~ /"(?:[^"\\\n]|\\.)*"/).collect { it }
        assert gstrings.any { it =~ /\$\{[^}]*\bSLACK_WEBHOOK_URL\b[^}]*\}/ }
    }

}
