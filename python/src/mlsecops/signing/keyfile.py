"""`sign.method: key`: an EC private key file (or PEM in MLSECOPS_SIGNING_KEY), through model-signing's own API.

With no key configured, a local key is generated once under the sign stage's folder and
the run says loudly that it is unmanaged: fine on a laptop, never what a release should carry.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mlsecops.errors import UsageError
from mlsecops.signing.bundle import hashing_config, key_id, load_private_key, public_key_pem, write_public_key
from mlsecops.signing.interface import SignatureInfo, Signer

KEY_ENV = "MLSECOPS_SIGNING_KEY"  # a path, or the PEM itself (Jenkins string credential)
PASSWORD_ENV = "MLSECOPS_SIGNING_KEY_PASSWORD"  # noqa: S105 - a variable name
LOCAL_KEY_DIR = "local-key"


class KeyFileSigner(Signer):
    method = "key"

    def sign(self, model_dir: Path, bundle_path: Path, public_key_path: Path) -> SignatureInfo:
        import model_signing.signing

        password = self.config.key_password or os.environ.get(PASSWORD_ENV) or None
        configured = self.config.key or os.environ.get(KEY_ENV, "")
        local = not configured
        with tempfile.TemporaryDirectory(prefix="mlsecops-key-") as scratch:
            if local:
                key_path, password = self._local_key(), None
            elif configured.lstrip().startswith("-----BEGIN"):
                # model-signing reads keys from a path: a private 0600 file that lives only during signing
                key_path = Path(scratch) / "key.pem"
                key_path.touch(mode=0o600)
                key_path.write_text(configured, encoding="utf-8")
            else:
                key_path = Path(configured)
                if not key_path.is_file():
                    raise UsageError(f"sign.key: key file {key_path} not found")
            pem = key_path.read_bytes()
            public_pem = public_key_pem(load_private_key(pem, password, "sign.key").public_key())
            # model-signing 1.1.1 hands the password straight to cryptography, which wants bytes
            config = model_signing.signing.Config().use_elliptic_key_signer(
                private_key=key_path,
                password=password.encode() if password else None,  # type: ignore[arg-type]
            )
            config.set_hashing_config(hashing_config(self.config.hash))
            bundle_path.parent.mkdir(parents=True, exist_ok=True)
            config.sign(model_dir, bundle_path)
        write_public_key(public_pem, public_key_path)
        return SignatureInfo(
            bundle=bundle_path,
            method=self.method,
            key_id=key_id(public_pem),
            public_key=public_key_path,
            local_key=local,
        )

    def _local_key(self) -> Path:
        """The unmanaged key of this workspace, created once with mode 0600."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        folder = self.work_dir / LOCAL_KEY_DIR
        key_path = folder / "private-key.pem"
        if not key_path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
            private = ec.generate_private_key(ec.SECP256R1())
            pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
        self.echo(
            "sign: WARNING: signing with a LOCAL, UNMANAGED key "
            f"({key_path}); set sign.key or MLSECOPS_SIGNING_KEY, or use Vault/KMS, for releases others must trust"
        )
        return key_path
