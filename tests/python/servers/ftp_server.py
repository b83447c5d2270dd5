"""pyftpdlib serving FTP or explicit FTPS (AUTH TLS) on 127.0.0.1, with a self-signed certificate made by `cryptography`.

`stop_after_files` stops the whole server once that many uploads completed: the fault a
store must survive (retries, then exit 3, and no manifest visible).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FtpServer:
    url: str
    root: Path
    username: str
    password: str
    ca_file: Path | None
    received: list[str] = field(default_factory=list)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A P-256 certificate for 127.0.0.1 (SAN IP), valid one day; returns (cert+key PEM, cert PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    bundle, ca = folder / "server.pem", folder / "ca.pem"
    bundle.write_bytes(cert_pem + key_pem)
    ca.write_bytes(cert_pem)
    return bundle, ca


@contextmanager
def ftp_server(
    tls: bool = False, stop_after_files: int | None = None
) -> Iterator[FtpServer]:
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import ThreadedFTPServer

    workdir = Path(tempfile.mkdtemp(prefix="mlsecops-ftp-"))
    root = workdir / "root"
    root.mkdir()
    username, password = "mlsecops", "ftp-" + os.urandom(6).hex()
    authorizer = DummyAuthorizer()
    authorizer.add_user(username, password, str(root), perm="elradfmwMT")
    received: list[str] = []
    state: dict = {}

    base = TLS_FTPHandler if tls else FTPHandler

    class Handler(base):  # type: ignore[misc, valid-type]
        def on_file_received(self, file: str) -> None:
            received.append(file)
            if stop_after_files is not None and len(received) >= stop_after_files:
                state["stopper"] = threading.Thread(target=state["server"].close_all, daemon=True)
                state["stopper"].start()

    Handler.authorizer = authorizer
    Handler.passive_ports = None
    Handler.banner = "mlsecops test ftp"
    Handler.auth_failed_timeout = 0.1  # pyftpdlib waits 3 s before answering a wrong password: same answer sooner
    ca_file = None
    if tls:
        bundle, ca_file = self_signed_certificate(workdir)
        Handler.certfile = str(bundle)
        Handler.tls_control_required = True
        Handler.tls_data_required = True
    # an IOLoop of its own: pyftpdlib's default one is shared by every server in the process, and
    # close_all() on it would also close the next test's server
    server = ThreadedFTPServer(("127.0.0.1", 0), Handler, ioloop=IOLoop())
    state["server"] = server
    port = server.socket.getsockname()[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"timeout": 0.2}, daemon=True
    )
    thread.start()
    try:
        yield FtpServer(
            url=f"{'ftps' if tls else 'ftp'}://127.0.0.1:{port}",
            root=root,
            username=username,
            password=password,
            ca_file=ca_file,
            received=received,
        )
    finally:
        if "stopper" in state:
            state["stopper"].join(timeout=5)
        server.close_all()
        thread.join(timeout=5)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
