"""A small stand-in for HashiCorp Vault: no Vault or OpenBao server is installable here.

It implements only the endpoints mlsecops uses, with Vault's paths and JSON shapes:
  GET  /v1/auth/token/lookup-self                  token check
  POST /v1/auth/approle/login                      AppRole login (role_id, secret_id)
  POST /v1/auth/{jwt,kubernetes}/login             JWT / Kubernetes login (role, jwt)
  GET  /v1/<mount>/data/<path>                     KV v2 read
  GET  /v1/transit/keys/<name>                     transit key with its public key
  POST /v1/transit/sign/<name>                     transit sign, real ECDSA P-256, prehashed or not
  POST /v1/transit/verify/<name>                   transit verify
Errors use Vault's {"errors": [...]} body with 400/403/404. It records every request body so
tests can prove that no private key ever left "Vault".
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from json_http import QuietJsonHandler, local_server


@dataclass
class VaultState:
    root_token: str = field(default_factory=lambda: "hvs." + os.urandom(12).hex())
    tokens: set[str] = field(default_factory=set)
    kv: dict[str, dict[str, Any]] = field(default_factory=dict)  # "mount/path" -> data
    approle: dict[str, str] = field(default_factory=dict)  # role_id -> secret_id
    jwt_roles: dict[str, str] = field(
        default_factory=dict
    )  # role -> the one jwt it accepts
    transit: dict[str, ec.EllipticCurvePrivateKey] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # every request body, as received

    def __post_init__(self) -> None:
        self.tokens.add(self.root_token)

    def public_pem(self, name: str) -> str:
        return (
            self.transit[name]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            .decode()
        )


class _Handler(QuietJsonHandler):
    state: VaultState

    def _error(self, status: int, message: str) -> None:
        self._reply(status, {"errors": [message] if message else []})

    def _body(self) -> dict[str, Any]:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.state.requests.append(raw.decode(errors="replace"))
        return json.loads(raw or b"{}")

    def _authorized(self) -> bool:
        if self.headers.get("X-Vault-Token") in self.state.tokens:
            return True
        self._error(403, "permission denied")
        return False

    def _issue_token(self) -> None:
        token = "hvs." + os.urandom(12).hex()
        self.state.tokens.add(token)
        self._reply(
            200,
            {
                "auth": {
                    "client_token": token,
                    "lease_duration": 3600,
                    "renewable": True,
                }
            },
        )

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if not self._authorized():
            return
        if path == "/v1/auth/token/lookup-self":
            self._reply(200, {"data": {"id": "redacted", "policies": ["default"]}})
        elif path.startswith("/v1/transit/keys/"):
            name = path.rsplit("/", 1)[1]
            if name not in self.state.transit:
                return self._error(404, "")
            key_type = "ecdsa-p256"
            self._reply(
                200,
                {
                    "data": {
                        "name": name,
                        "type": key_type,
                        "latest_version": 1,
                        "keys": {
                            "1": {
                                "public_key": self.state.public_pem(name),
                                "name": "P-256",
                            }
                        },
                    }
                },
            )
        elif "/data/" in path:
            mount, _, secret = path[len("/v1/") :].partition("/data/")
            data = self.state.kv.get(f"{mount}/{secret}")
            if data is None:
                return self._error(404, "")
            self._reply(
                200,
                {
                    "data": {
                        "data": data,
                        "metadata": {
                            "version": 1,
                            "deletion_time": "",
                            "destroyed": False,
                        },
                    }
                },
            )
        else:
            self._error(404, "")

    def do_POST(self) -> None:
        path = self.path.split("?")[0]
        body = self._body()
        if path == "/v1/auth/approle/login":
            if self.state.approle.get(body.get("role_id")) == body.get("secret_id"):
                return self._issue_token()
            return self._error(400, "invalid role or secret ID")
        if path in ("/v1/auth/jwt/login", "/v1/auth/kubernetes/login"):
            if body.get("jwt") and self.state.jwt_roles.get(
                body.get("role")
            ) == body.get("jwt"):
                return self._issue_token()
            return self._error(
                400, "error validating token: invalid audience (aud) claim"
            )
        if not self._authorized():
            return
        if path.startswith(("/v1/transit/sign/", "/v1/transit/verify/")):
            return self._transit(path, body)
        self._error(404, "")

    def _transit(self, path: str, body: dict[str, Any]) -> None:
        action, name = path[len("/v1/transit/") :].split("/", 1)
        key = self.state.transit.get(name.split("/")[0])
        if key is None:
            return self._error(400, "signing key not found")
        if body.get("hash_algorithm", "sha2-256") != "sha2-256":
            return self._error(400, "unsupported hash algorithm for this test server")
        data = base64.b64decode(body["input"])
        algorithm = (
            ec.ECDSA(Prehashed(hashes.SHA256()))
            if body.get("prehashed")
            else ec.ECDSA(hashes.SHA256())
        )
        if action == "sign":
            signature = key.sign(data, algorithm)
            return self._reply(
                200,
                {
                    "data": {
                        "signature": "vault:v1:" + base64.b64encode(signature).decode(),
                        "key_version": 1,
                    }
                },
            )
        signature = base64.b64decode(body["signature"].rpartition(":")[2])
        try:
            key.public_key().verify(signature, data, algorithm)
            valid = True
        except InvalidSignature:
            valid = False
        self._reply(200, {"data": {"valid": valid}})


@dataclass
class FakeVault:
    url: str
    state: VaultState


@contextmanager
def fake_vault() -> Iterator[FakeVault]:
    state = VaultState()
    handler = type("Handler", (_Handler,), {"state": state})
    with local_server(handler) as url:
        yield FakeVault(url=url, state=state)
