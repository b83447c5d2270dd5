"""`${secret:vault://mount/path#field}`: HashiCorp Vault (or OpenBao) KV v2, through hvac.

Authentication comes from the environment, as Jenkins' withVault or a Kubernetes pod would
provide it, first match wins:
  VAULT_TOKEN                                   a token
  VAULT_ROLE_ID + VAULT_SECRET_ID               AppRole (mount VAULT_APPROLE_MOUNT, default approle)
  VAULT_AUTH_METHOD=jwt|kubernetes + VAULT_ROLE JWT / Kubernetes auth with VAULT_JWT, VAULT_JWT_FILE or the
                                                pod's service-account token (mount VAULT_AUTH_MOUNT)
VAULT_ADDR, VAULT_CACERT and VAULT_NAMESPACE are read as the Vault CLI reads them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.keys.interface import SecretProvider
from mlsecops.redact import register_secret, scrub

K8S_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"  # noqa: S105 - a path
_clients: dict[str, Any] = {}


def vault_address(addr: str | None = None) -> str:
    address = addr or os.environ.get("VAULT_ADDR", "")
    if not address:
        raise UsageError("Vault: no address (set VAULT_ADDR, or sign.endpoint_url)")
    return address.rstrip("/")


def vault_client(addr: str | None = None):
    """An authenticated hvac client, one per address and process (a login per secret would be rude)."""
    address = vault_address(addr)
    if address in _clients:
        return _clients[address]
    import hvac

    verify: bool | str = os.environ.get("VAULT_CACERT") or os.environ.get("VAULT_SKIP_VERIFY", "") not in ("1", "true")
    client = hvac.Client(url=address, verify=verify, namespace=os.environ.get("VAULT_NAMESPACE") or None, timeout=30)
    _call(lambda: _login(client), address, "login")
    _clients[address] = client
    return client


def _login(client) -> None:
    env = os.environ
    if token := env.get("VAULT_TOKEN"):
        register_secret(token)
        client.token = token
        client.lookup_token()  # fail here, with a clear line, not at the first read
        return
    if env.get("VAULT_ROLE_ID") and env.get("VAULT_SECRET_ID"):
        register_secret(env["VAULT_SECRET_ID"])
        client.auth.approle.login(
            role_id=env["VAULT_ROLE_ID"],
            secret_id=env["VAULT_SECRET_ID"],
            mount_point=env.get("VAULT_APPROLE_MOUNT", "approle"),
        )
    elif (method := env.get("VAULT_AUTH_METHOD", "")) in ("jwt", "kubernetes"):
        role = env.get("VAULT_ROLE")
        if not role:
            raise UsageError(f"Vault {method} auth: set VAULT_ROLE")
        jwt = env.get("VAULT_JWT") or _read_jwt(env.get("VAULT_JWT_FILE") or K8S_TOKEN_FILE)
        register_secret(jwt)
        mount = env.get("VAULT_AUTH_MOUNT", method)
        if method == "jwt":
            client.auth.jwt.jwt_login(role=role, jwt=jwt, path=mount)
        else:
            client.auth.kubernetes.login(role=role, jwt=jwt, mount_point=mount)
    else:
        raise UsageError(
            "Vault: no credentials (set VAULT_TOKEN, VAULT_ROLE_ID+VAULT_SECRET_ID, "
            "or VAULT_AUTH_METHOD=jwt|kubernetes)"
        )
    register_secret(client.token)


def _read_jwt(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        raise UsageError(f"Vault JWT auth: cannot read the token file {path}") from None


def _call(action, address: str, what: str):
    """hvac's errors as one line: refused credentials and outages are exit 3, a wrong path is exit 2."""
    import hvac.exceptions
    import requests

    try:
        return action()
    except (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized) as exc:
        raise EnvironmentFailure(f"Vault at {address}: {what} refused: credentials rejected ({_first(exc)})") from None
    except hvac.exceptions.InvalidPath:
        raise UsageError(f"Vault at {address}: {what}: not found") from None
    except hvac.exceptions.InvalidRequest as exc:
        raise UsageError(f"Vault at {address}: {what}: invalid request ({_first(exc)})") from None
    except (hvac.exceptions.VaultError, requests.RequestException) as exc:
        raise EnvironmentFailure(f"Vault at {address}: {what} failed ({exc.__class__.__name__})") from None


def _first(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    text = errors[0] if isinstance(errors, list) and errors else str(exc).splitlines()[0] if str(exc) else ""
    return scrub(str(text))[:160]


def split_reference(reference: str, scheme: str) -> tuple[str, str | None]:
    path, _, field = reference.partition("#")
    if not path.strip("/"):
        raise UsageError(f"secret {scheme}://{reference}: no path")
    return path.strip("/"), field or None


def pick_field(data: dict[str, Any], field: str | None, where: str) -> str:
    if field is None:
        if len(data) != 1:
            raise UsageError(f"{where}: the secret has {len(data)} fields: name one with #field")
        field = next(iter(data))
    if field not in data:
        raise UsageError(f"{where}: no field '{field}' (fields: {', '.join(sorted(data))})")
    return str(data[field])


class VaultSecretProvider(SecretProvider):
    scheme = "vault"

    def resolve(self, reference: str) -> str:
        path, field = split_reference(reference, self.scheme)
        mount, _, secret_path = path.partition("/")
        if not secret_path:
            raise UsageError(f"secret vault://{reference}: use vault://MOUNT/PATH#FIELD")
        client = vault_client()
        where = f"secret vault://{path}"
        response = _call(
            lambda: client.secrets.kv.v2.read_secret_version(
                path=secret_path, mount_point=mount, raise_on_deleted_version=True
            ),
            vault_address(),
            f"read {mount}/{secret_path}",
        )
        return pick_field(response["data"]["data"], field, where)
