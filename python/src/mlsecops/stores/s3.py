"""`s3://bucket/prefix` store (boto3): AWS, MinIO or Ceph through `endpoint_url`; multipart; SSE; verified both ways.

Uploads carry a checksum that S3 itself validates (per part for multipart): CRC32 by default,
as the AWS SDKs send, or SHA-256 (`upload_checksum: sha256`). After the upload the object's
checksum is read back and compared with the one computed from the bytes sent, so a corrupted
or truncated object is caught without downloading it again; the file's sha256, computed on
the same read, is what the release manifest and the signature hold. Servers that return no
checksum are verified by reading the object back.
Credentials: `username`/`password` of the connection (access key id / secret, best given as
`${secret:...}`), else boto3's own chain (environment, profile, instance role).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field

from mlsecops.config import ConnectionConfig
from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.stores.interface import ArtifactStore, check_key
from mlsecops.stores.transfer import (
    CHUNK,
    Failure,
    LocalDigests,
    atomic_download,
    checksum_bytes,
    progress_bar,
    with_retries,
)

MIB = 1024 * 1024
MAX_PARTS = 10_000  # S3's limit per multipart upload: larger files get larger parts

_AUTH_CODES = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "ExpiredToken",
    "InvalidToken",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "403",
}
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_TRANSIENT_CODES = {"SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "InternalError", "503", "500"}


def classify(exc: BaseException) -> Failure:
    from boto3.exceptions import S3TransferFailedError, S3UploadFailedError
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    if isinstance(exc, S3UploadFailedError | S3TransferFailedError):
        inner = exc.__cause__ or exc.__context__  # the managed transfer wraps the real error
        return classify(inner) if inner is not None else Failure.TRANSIENT
    if isinstance(exc, NoCredentialsError):
        return Failure.AUTH
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _AUTH_CODES:
            return Failure.AUTH
        if code in _MISSING_CODES:
            return Failure.MISSING
        if code in _TRANSIENT_CODES or status >= 500:
            return Failure.TRANSIENT
        return Failure.FATAL
    if isinstance(exc, BotoCoreError | ConnectionError | TimeoutError | OSError):
        return Failure.TRANSIENT
    return Failure.FATAL


class S3Settings(ConnectionConfig):
    """S3 and S3-compatible servers (MinIO, Ceph): username/password are the access key id and secret."""

    endpoint_url: str | None = None  # a server other than AWS (MinIO, Ceph); default: AWS_ENDPOINT_URL, else AWS
    region: str | None = None
    token: str | None = None  # the session token of temporary credentials (a ${secret:...} reference)
    server_side_encryption: Literal["AES256", "aws:kms"] | None = None  # SSE requested on every object
    sse_kms_key_id: str | None = None  # with aws:kms: the key; default: the bucket's
    multipart_threshold_mb: int = Field(default=64, ge=5)  # multipart above this size
    multipart_chunk_mb: int = Field(default=16, ge=5)
    max_concurrency: int = Field(default=8, ge=1, le=64)  # parts uploaded at once
    # the checksum the server validates and reports back after an upload (crc32: the AWS SDKs' default)
    upload_checksum: Literal["sha256", "crc32"] = "crc32"
    addressing_style: Literal["auto", "virtual", "path"] = "auto"  # path: MinIO and most private servers
    # sign the payload too (botocore's payload_signing_enabled); default: not with sha256, botocore's choice with crc32
    payload_signing_enabled: bool | None = None


class S3Store(ArtifactStore):
    scheme = "s3"
    settings_model: ClassVar[type[S3Settings]] = S3Settings
    connection: S3Settings

    def __init__(self, root_url: str, connection: ConnectionConfig | None = None) -> None:
        super().__init__(root_url, connection)
        parts = urlsplit(self.root_url)
        if not parts.netloc:
            raise UsageError(f"'{self.display_root()}': an s3:// URL needs a bucket")
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self._client = None

    # ------------------------------------------------------------ plumbing

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            c = self.connection
            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=c.endpoint_url,
                region_name=c.region,
                aws_access_key_id=c.username,
                aws_secret_access_key=c.password,
                aws_session_token=c.token,
                verify=c.ca_bundle or c.verify_tls,
                config=Config(
                    connect_timeout=c.timeout,
                    read_timeout=c.timeout,
                    retries={"max_attempts": 1, "mode": "standard"},  # our own backoff decides
                    s3={
                        "addressing_style": c.addressing_style,
                        # A sha256 upload carries its checksum in a signed header that S3 checks the
                        # body against, which binds the body as a signed payload would; signing it
                        # again costs one more sha256 pass. With crc32, botocore decides as it does by
                        # default: the payload is signed over plain http, not over TLS.
                        "payload_signing_enabled": (
                            c.payload_signing_enabled if c.payload_signing_enabled is not None
                            else False if c.upload_checksum == "sha256" else None
                        ),
                    },
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                ),
            )
        return self._client

    def _key(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _retry(self, action, what: str, key: str):
        c = self.connection
        return with_retries(
            action, what=what, url=self.url_of(key), classify=classify, retries=c.retries, backoff=c.backoff_seconds
        )

    def _encryption_args(self) -> dict[str, str]:
        c = self.connection
        args: dict[str, str] = {}
        if c.server_side_encryption:
            args["ServerSideEncryption"] = c.server_side_encryption
        if c.sse_kms_key_id:
            args["SSEKMSKeyId"] = c.sse_kms_key_id
        return args

    # ------------------------------------------------------------ interface

    def download(self, key: str, dest: Path, expected_sha256: str | None = None) -> str:
        object_key = self._key(key)

        def attempt() -> str:
            response = self.client.get_object(Bucket=self.bucket, Key=object_key)
            body = response["Body"]
            with atomic_download(dest, self.url_of(key), expected_sha256, response.get("ContentLength")) as writer:
                for chunk in body.iter_chunks(CHUNK):
                    writer.write(chunk)
            return writer.hexdigest()

        return self._retry(attempt, "download", key)

    def upload(self, src: Path, key: str) -> str:
        """One read of `src`: every piece read is hashed into the file's sha256 and sent with its own
        S3 checksum, computed from the very bytes sent, so botocore computes none, S3 validates each
        request, and the object's checksum checked afterwards covers exactly what was hashed."""
        c = self.connection
        size = src.stat().st_size
        with open(src, "rb") as handle, progress_bar(size, src.name) as advance:
            if size < c.multipart_threshold_mb * MIB:
                digests = self._upload_whole(handle, key, c.upload_checksum)
                advance(size)
            else:
                part_size = max(c.multipart_chunk_mb * MIB, -(-size // MAX_PARTS))
                digests = self._upload_parts(handle, key, c.upload_checksum, part_size, advance)
        self._verify_upload(key, digests)
        return digests.sha256

    def _upload_whole(self, handle, key: str, algorithm: str) -> LocalDigests:
        data = handle.read()
        sha256 = hashlib.sha256(data).digest()
        checksum = sha256 if algorithm == "sha256" else checksum_bytes(data, algorithm)
        self._retry(
            lambda: self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, **self._checksum_args(algorithm, checksum)
            ),
            "upload",
            key,
        )
        return LocalDigests(sha256.hex(), len(data), [], checksum)

    def _upload_parts(self, handle, key: str, algorithm: str, part_size: int, advance) -> LocalDigests:
        """Multipart: this thread reads and feeds the whole-file hashes; workers checksum and send the
        parts, each retried on its own. At most `max_concurrency` parts are held in memory."""
        object_key = self._key(key)
        created = self._retry(
            lambda: self.client.create_multipart_upload(
                Bucket=self.bucket, Key=object_key, ChecksumAlgorithm=algorithm.upper(), **self._encryption_args()
            ),
            "upload",
            key,
        )
        upload_id = created["UploadId"]
        workers = self.connection.max_concurrency
        in_memory = threading.BoundedSemaphore(workers)
        failed = threading.Event()
        whole, crc, size = hashlib.sha256(), 0, 0
        futures = []

        def send(number: int, data: bytes) -> dict[str, object]:
            try:
                checksum = checksum_bytes(data, algorithm)
                response = self._retry(
                    lambda: self.client.upload_part(
                        Bucket=self.bucket, Key=object_key, UploadId=upload_id, PartNumber=number, Body=data,
                        **self._checksum_args(algorithm, checksum, with_algorithm=False),
                    ),
                    "upload",
                    key,
                )
                advance(len(data))
                return {"PartNumber": number, "ETag": response["ETag"], "checksum": checksum}
            except BaseException:
                failed.set()
                raise
            finally:
                in_memory.release()

        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mlsecops-s3-part") as pool:
                while not failed.is_set() and (data := handle.read(part_size)):
                    whole.update(data)
                    if algorithm == "crc32":
                        crc = zlib.crc32(data, crc)
                    size += len(data)
                    in_memory.acquire()
                    futures.append(pool.submit(send, len(futures) + 1, data))
            parts = [future.result() for future in futures]
            checksums = [part.pop("checksum") for part in parts]
            for part, checksum in zip(parts, checksums, strict=True):
                part[f"Checksum{algorithm.upper()}"] = base64.b64encode(checksum).decode()
            self._retry(
                lambda: self.client.complete_multipart_upload(
                    Bucket=self.bucket, Key=object_key, UploadId=upload_id, MultipartUpload={"Parts": parts}
                ),
                "upload",
                key,
            )
        except BaseException:
            self._abort(object_key, upload_id)
            raise
        digest = whole.digest()
        return LocalDigests(digest.hex(), size, checksums, crc.to_bytes(4, "big") if algorithm == "crc32" else digest)

    def _abort(self, object_key: str, upload_id: str) -> None:
        """Best effort: a failed upload should not leave parts billed in the bucket."""
        with contextlib.suppress(Exception):  # the upload's own error is the one to report
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=object_key, UploadId=upload_id)

    def _checksum_args(self, algorithm: str, checksum: bytes, with_algorithm: bool = True) -> dict[str, str]:
        args = {f"Checksum{algorithm.upper()}": base64.b64encode(checksum).decode()}
        if with_algorithm:
            args["ChecksumAlgorithm"] = algorithm.upper()
            args.update(self._encryption_args())
        return args

    def _verify_upload(self, key: str, local: LocalDigests) -> None:
        object_key = self._key(key)
        head = self._retry(
            lambda: self.client.head_object(Bucket=self.bucket, Key=object_key, ChecksumMode="ENABLED"), "verify", key
        )
        if head.get("ContentLength") != local.size:
            held = head.get("ContentLength")
            raise EnvironmentFailure(f"{self.url_of(key)}: the store holds {held} bytes, {local.size} were sent")
        algorithm = self.connection.upload_checksum
        checksum = head.get(f"Checksum{algorithm.upper()}")
        if checksum and checksum in self._acceptable_checksums(local, algorithm):
            return
        # no usable server checksum: read the object back
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mlsecops-s3-") as scratch:
            self.download(key, Path(scratch) / "readback", expected_sha256=local.sha256)

    @staticmethod
    def _acceptable_checksums(local: LocalDigests, algorithm: str) -> set[str]:
        """What S3 may report: the whole file's checksum, or for multipart the checksum of the part
        checksums, with '-N' (AWS) or without it (some S3-compatible servers)."""
        whole = base64.b64encode(local.whole).decode()
        if not local.parts:
            return {whole}
        composite = base64.b64encode(checksum_bytes(b"".join(local.parts), algorithm)).decode()
        return {whole, composite, f"{composite}-{len(local.parts)}"}

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        object_key = self._key(key)

        def attempt() -> bool:
            try:
                self.client.head_object(Bucket=self.bucket, Key=object_key)
                return True
            except ClientError as exc:
                if classify(exc) is Failure.MISSING:
                    return False
                raise

        return self._retry(attempt, "lookup", key)

    def read_bytes(self, key: str) -> bytes:
        object_key = self._key(key)
        return self._retry(
            lambda: self.client.get_object(Bucket=self.bucket, Key=object_key)["Body"].read(), "download", key
        )

    def write_bytes(self, key: str, data: bytes) -> None:
        object_key = self._key(key)
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
        self._retry(
            lambda: self.client.put_object(
                Bucket=self.bucket, Key=object_key, Body=data, ChecksumSHA256=checksum, **self._encryption_args()
            ),
            "upload",
            key,
        )

    def list(self, prefix: str = "") -> list[str]:
        base = self._key(prefix) + "/" if prefix.strip("/") else (f"{self.prefix}/" if self.prefix else "")
        strip = len(self.prefix) + 1 if self.prefix else 0

        def attempt() -> list[str]:
            keys = []
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=base):
                keys.extend(item["Key"][strip:] for item in page.get("Contents", []))
            return sorted(keys)

        return self._retry(attempt, "list", prefix or "")

    def delete(self, key: str) -> None:
        object_key = self._key(key)
        self._retry(lambda: self.client.delete_object(Bucket=self.bucket, Key=object_key), "delete", key)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
