"""`sign.method: sigstore`: keyless; an OIDC identity bound to a short-lived Fulcio certificate, logged in Rekor.

Needs network access to Fulcio and Rekor (or a private Sigstore: `sign.options.trust_config`).
The identity token comes from SIGSTORE_ID_TOKEN (GitLab `id_tokens`, a Jenkins OIDC
credential) or ambient CI credentials (GitHub Actions); an interactive browser flow is
never started from a pipeline. Verify with `model_signing verify sigstore --identity ...
--identity_provider ...`; see docs-signing.md for how OpenPubKey relates.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path
from typing import ClassVar

from mlsecops.config import Section
from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.signing.bundle import hashing_config
from mlsecops.signing.interface import SignatureInfo, Signer

TOKEN_ENV = "SIGSTORE_ID_TOKEN"  # noqa: S105 - a variable name
_AMBIENT = ("ACTIONS_ID_TOKEN_REQUEST_URL",)


def token_identity(token: str) -> str:
    """The identity claim of a JWT, for the record only (Fulcio verifies the token, we do not)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        raise UsageError(f"{TOKEN_ENV}: not a JWT") from None
    return str(claims.get("email") or claims.get("sub") or "")


class SigstoreOptions(Section):
    """`sign.options` of `method: sigstore`."""

    trust_config: str | None = None  # a private Sigstore's trust configuration (JSON); default: the public one
    staging: bool = False  # the public staging instance (tests of the pipeline, not releases)
    oidc_issuer: str | None = None  # the OIDC issuer of an interactive sign-in; default: Sigstore's


class SigstoreSigner(Signer):
    method = "sigstore"
    options_model: ClassVar[type[Section]] = SigstoreOptions

    def sign(self, model_dir: Path, bundle_path: Path, public_key_path: Path) -> SignatureInfo:
        import model_signing.signing

        options = self.config.options
        if not isinstance(options, SigstoreOptions):  # validated for another method (sign.method: key)
            options = SigstoreOptions.model_validate(options.model_dump(exclude_unset=True))
        token = os.environ.get(TOKEN_ENV) or None
        ambient = any(os.environ.get(name) for name in _AMBIENT)
        if token is None and not ambient and not sys.stdin.isatty():
            raise UsageError(
                f"sign.method sigstore: no OIDC identity ({TOKEN_ENV} unset, no ambient CI credentials); "
                "keyless signing never opens a browser from a pipeline"
            )
        trust_config = options.trust_config
        config = model_signing.signing.Config().use_sigstore_signer(
            identity_token=token,
            use_ambient_credentials=token is None and ambient,
            use_staging=options.staging,
            oidc_issuer=options.oidc_issuer,
            trust_config=Path(trust_config) if trust_config else None,
        )
        config.set_hashing_config(hashing_config(self.config.hash))
        try:
            config.sign(model_dir, bundle_path)
        except Exception as exc:  # network, token expiry, Fulcio/Rekor refusals: the environment's fault
            raise EnvironmentFailure(f"sigstore keyless signing failed ({exc.__class__.__name__})") from None
        return SignatureInfo(
            bundle=bundle_path, method=self.method, identity=token_identity(token) if token else "ambient"
        )
