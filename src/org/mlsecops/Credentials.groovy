package org.mlsecops

import com.cloudbees.groovy.cps.NonCPS

/**
 * Credentials reach the worker only as environment variables, bound around the worker's
 * {@code sh} by {@code withCredentials} and {@code withVault}. Their values never pass
 * through Groovy: the library neither reads nor interpolates nor echoes them.
 */
class Credentials implements Serializable {

    private static final long serialVersionUID = 1L

    static final List<String> TYPES = ['string', 'usernamePassword', 'file']

    /**
     * The enabled credentials of {@code stage} as plain maps
     * {@code [type:, id:, variable:, passwordVariable:]}, sorted by variable. The stage manifest
     * ({@code cfg.manifest}, stages.yaml) says which of its credentials a stage binds; a variable
     * the manifest does not know (a team's own) is bound around the {@code stages} its entry lists.
     * {@code stage} may also name a worker command of the manifest's {@code commands} (handoff).
     */
    @NonCPS
    @SuppressWarnings('Instanceof') // a command's entry is its secret scopes (a list) or a map with credentials
    static List<Map> specs(Map cfg, String stage) {
        Map manifest = (cfg.manifest ?: [stages: []]) as Map
        Map own = (manifest.stages as List).find { (it as Map).name == stage } as Map
        Object command = ((manifest.commands ?: [:]) as Map)[stage]
        if (own == null && command instanceof Map) {
            own = command as Map
        }
        List ownCredentials = (own?.credentials ?: []) as List
        Set declared = [] as Set
        (manifest.stages as List).each { declared.addAll(((it as Map).credentials ?: []) as List) }
        List<Map> result = []
        ((cfg.credentials ?: [:]) as Map).each { variable, value ->
            Map entry = (value ?: [:]) as Map
            boolean forStage = declared.contains(variable) ? ownCredentials.contains(variable) :
                (entry.stages as List)?.contains(stage)
            if (entry.enabled && entry.id && forStage) {
                result << [type: entry.type as String, id: entry.id as String, variable: variable as String,
                           passwordVariable: entry.passwordVariable as String]
            }
        }
        return result.sort { it.variable }
    }

    /**
     * The Vault secrets of {@code stage} as the {@code vaultSecrets} argument of withVault,
     * or an empty list.
     */
    @NonCPS
    static List<Map> vaultSecrets(Map cfg, String stage) {
        Map vault = (cfg.vault ?: [:]) as Map
        List<Map> result = []
        if (!vault.enabled) {
            return result
        }
        (vault.secrets as List ?: []).each { item ->
            Map secret = item as Map
            if ((secret.stages as List)?.contains(stage)) {
                List<Map> values = []
                ((secret.values ?: [:]) as Map).each { envVar, key ->
                    values << [envVar: envVar as String, vaultKey: key as String]
                }
                Integer engine = (secret.engineVersion ?: vault.engineVersion) as Integer
                result << [path: secret.path as String, engineVersion: engine, secretValues: values]
            }
        }
        return result
    }

    /** Problems with the credential entries {@code specs} returned, for {@code error}. */
    @NonCPS
    static List<String> problems(List<Map> specs) {
        List<String> result = []
        specs.each { spec ->
            if (!TYPES.contains(spec.type)) {
                String types = TYPES.join(', ')
                result << "credential ${spec.variable}: type '${spec.type}' is not one of ${types}".toString()
            }
            if (spec.type == 'usernamePassword' && !spec.passwordVariable) {
                result << "credential ${spec.variable}: usernamePassword needs passwordVariable".toString()
            }
            [spec.variable, spec.passwordVariable].findAll { it }.each { name ->
                if (!(name ==~ /[A-Z_][A-Z0-9_]*/)) {
                    result << "credential ${spec.variable}: '${name}' is not an environment variable name".toString()
                }
            }
        }
        return result
    }

    /**
     * Runs {@code body} with the stage's credentials bound: Vault secrets (withVault) outside,
     * Jenkins credentials (withCredentials) inside.
     */
    static Object with(Object script, Map cfg, String stage, Closure body) {
        List<Map> specs = specs(cfg, stage)
        List<String> problems = problems(specs)
        if (problems) {
            script.error("[mlsecops] ${problems.join('; ')}")
        }
        List bindings = []
        for (int i = 0; i < specs.size(); i++) {
            bindings << binding(script, specs[i])
        }
        Closure withJenkinsCredentials = {
            return bindings ? script.withCredentials(bindings) { body() } : body()
        }
        List<Map> secrets = vaultSecrets(cfg, stage)
        Map vault = (cfg.vault ?: [:]) as Map
        Closure withVaultSecrets = {
            if (!secrets) {
                return withJenkinsCredentials()
            }
            Map configuration = [vaultUrl: vault.url, vaultCredentialId: vault.credentialsId,
                                 engineVersion: vault.engineVersion as Integer]
            return script.withVault(configuration: configuration, vaultSecrets: secrets) { withJenkinsCredentials() }
        }
        if (vault.enabled && vault.url) {
            // the address is not a secret; the worker's own Vault key provider needs it too
            return script.withEnv(["VAULT_ADDR=${vault.url}".toString()]) { withVaultSecrets() }
        }
        return withVaultSecrets()
    }

    private static Object binding(Object script, Map spec) {
        switch (spec.type) {
            case 'string':
                return script.string(credentialsId: spec.id, variable: spec.variable)
            case 'usernamePassword':
                return script.usernamePassword(credentialsId: spec.id, usernameVariable: spec.variable,
                                               passwordVariable: spec.passwordVariable)
            default:
                return script.file(credentialsId: spec.id, variable: spec.variable)
        }
    }

}
