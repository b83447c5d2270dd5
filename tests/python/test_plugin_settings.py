"""Every store, signer and notify sink declares its settings model; the registries are the only list of names.

A store backend's `connections.<scheme>` entry, a signing method's `sign.options` and a sink's
entry in `notify.sinks` are validated by the model in the plug-in's own file (unknown keys refused
in one line), and the names the config accepts (`sign.method`, `train.kind`, the keys of
`connections`, the sink types) are the registries' keys: a new plug-in is one file plus one line.
"""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, ClassVar

import pytest
from mlsecops.config import ConnectionConfig, Section, config_model, parse_config
from mlsecops.errors import UsageError
from mlsecops.ml.trainers import TRAINERS
from mlsecops.notify import SINKS
from mlsecops.notify.settings import SinkSettings, notify_config, sink_settings
from mlsecops.signing import SIGNERS
from mlsecops.signing.interface import SignatureInfo, Signer
from mlsecops.stores import STORES, open_store
from mlsecops.stores.ftp import FtpSettings
from mlsecops.stores.s3 import S3Settings


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(UsageError) as caught:
        parse_config(data)
    message = str(caught.value)
    assert "\n" not in message
    return message


def _literal(section: str, field: str) -> tuple[str, ...]:
    model = config_model().model_fields[section].annotation
    return typing.get_args(model.model_fields[field].annotation)


@pytest.fixture
def rebuilt_schema():
    """The schema built again after a test registers a plug-in (and again after it is unregistered)."""

    def rebuild() -> None:
        config_model.cache_clear()
        sink_settings.cache_clear()
        notify_config.cache_clear()

    rebuild()
    yield rebuild
    rebuild()


# ------------------------------------------------------------------ stores


def test_each_connection_entry_is_validated_by_its_backends_model():
    config = parse_config({"load": {"connections": {
        "s3": {"region": "eu-west-1", "server_side_encryption": "aws:kms", "max_concurrency": 4},
        "ftp": {"passive": False, "timeout": 5},
        "nexus": {"username": "deployer", "token": "${secret:env://UNSET_NEXUS_TOKEN_X}"},
    }}}, secrets=())
    connections = config.load.connections
    assert isinstance(connections["s3"], S3Settings) and connections["s3"].max_concurrency == 4
    assert isinstance(connections["ftp"], FtpSettings) and connections["ftp"].passive is False
    assert connections["nexus"].username == "deployer"
    assert set(connections) == {"s3", "ftp", "nexus"}  # only the backends given


@pytest.mark.parametrize(("entry", "expected"), [
    ({"s3": {"passive": True}}, "unknown key 'load.connections.s3.passive'"),  # FTP's key under s3
    ({"ftp": {"server_side_encryption": "AES256"}}, "unknown key 'load.connections.ftp.server_side_encryption'"),
    ({"nexus": {"multipart_chunk_mb": 8}}, "unknown key 'load.connections.nexus.multipart_chunk_mb'"),
    ({"ftp": {"options": {"passive": True}}}, "unknown key 'load.connections.ftp.options'"),  # no untyped bag
    ({"gcs": {"endpoint_url": "https://x"}}, "unknown key 'load.connections.gcs'"),  # no such store
    ({"s3": {"upload_checksum": "md5"}}, "load.connections.s3.upload_checksum: expected 'sha256' or 'crc32'"),
])
def test_a_key_the_backend_does_not_have_is_refused_in_one_line(entry, expected):
    assert expected in _refused({"load": {"connections": entry}})


def test_config_validate_names_the_misplaced_key_and_exits_2(cli, tmp_path):
    (tmp_path / "mlsecops.yaml").write_text("store:\n  connections:\n    s3: {region: x, passive: false}\n")
    result = cli("config", "validate")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown key 'store.connections.s3.passive'" in result.stderr
    assert "Traceback" not in result.output


def test_the_store_reads_its_backends_settings_and_ftps_shares_ftps_entry():
    connections = parse_config({"load": {"connections": {
        "s3": {"max_concurrency": 3, "addressing_style": "path"}, "ftp": {"passive": False}}}}).load.connections
    with open_store("s3://bucket/prefix", connections) as s3:
        assert isinstance(s3.connection, S3Settings) and s3.connection.addressing_style == "path"
    with open_store("ftps://127.0.0.1:1/root", connections) as ftps:
        assert isinstance(ftps.connection, FtpSettings) and ftps.connection.passive is False


def test_common_settings_become_the_backends_and_another_backends_keys_are_refused():
    with open_store("s3://bucket/p", {"s3": ConnectionConfig(retries=1)}) as store:
        assert isinstance(store.connection, S3Settings) and store.connection.retries == 1
        assert store.connection.multipart_chunk_mb == 16  # the backend's own default
    with pytest.raises(UsageError, match=r"connections\.ftp\.region: unknown key \(for ftp:// stores\)"):
        open_store("ftp://127.0.0.1/p", {"ftp": S3Settings(region="eu-west-1")})


def test_the_connection_keys_are_the_store_registry():
    model = config_model().model_fields["load"].annotation.model_fields["connections"].annotation
    assert list(model.model_fields) == list(STORES)


# ------------------------------------------------------------------ signers and trainers


def test_sign_method_and_train_kind_accept_exactly_the_registered_names():
    assert _literal("sign", "method") == tuple(SIGNERS)
    assert _literal("train", "kind") == tuple(TRAINERS)
    assert "sign.method: expected 'key'" in _refused({"sign": {"method": "gpg"}})
    assert "(and" not in _refused({"sign": {"method": "gpg"}})  # its options are not judged as well
    assert "train.kind: expected 'keras-text'" in _refused({"train": {"kind": "xgboost"}})


def test_sign_options_are_the_methods_own_model():
    config = parse_config({"sign": {"method": "sigstore", "options": {"staging": True, "trust_config": "t.json"}}})
    assert config.sign.options.staging is True and config.sign.options.trust_config == "t.json"
    assert "unknown key 'sign.options.stagin'" in _refused({"sign": {"method": "sigstore",
                                                                     "options": {"stagin": True}}})
    # a method that takes no options refuses any
    assert "unknown key 'sign.options.staging'" in _refused({"sign": {"method": "key", "options": {"staging": True}}})


class _SlotOptions(Section):
    slot: int = 0


class _HsmSigner(Signer):
    """A signer written as a plug-in would be: one class in one module, named by one registry line."""

    method = "test-hsm"
    options_model: ClassVar[type[Section]] = _SlotOptions

    def sign(self, model_dir: Path, bundle_path: Path, public_key_path: Path) -> SignatureInfo:
        raise NotImplementedError("validation only")


def test_a_new_signer_is_one_class_and_one_registry_line(monkeypatch, rebuilt_schema):
    monkeypatch.setitem(SIGNERS, "test-hsm", f"{__name__}:_HsmSigner")
    rebuilt_schema()
    config = parse_config({"sign": {"method": "test-hsm", "options": {"slot": 2}}})
    assert config.sign.options.slot == 2
    assert "unknown key 'sign.options.slott'" in _refused({"sign": {"method": "test-hsm", "options": {"slott": 2}}})


# ------------------------------------------------------------------ notify sinks


def test_each_sink_type_is_a_registry_name_with_its_settings_in_its_own_module():
    models = sink_settings()
    assert list(models) == list(SINKS)
    for kind, model in models.items():
        sink_module = SINKS[kind].partition(":")[0]
        assert model.__module__ == sink_module, kind  # the settings live beside the sink
        assert typing.get_args(model.model_fields["type"].annotation) == (kind,)


def test_a_sinks_own_keys_are_checked_by_its_model():
    assert "unknown key 'notify.sinks.0.slack.chat_id'" in _refused(
        {"notify": {"sinks": [{"type": "slack", "webhook_url": "${secret:env://SLACK_URL}", "chat_id": "1"}]}})
    assert "does not match any of the expected tags" in _refused({"notify": {"sinks": [{"type": "teams"}]}})


class _TeamsSettings(SinkSettings):
    credentials: ClassVar[tuple[str, ...]] = ("webhook_url",)
    webhook_url: Any = None
    channel: str = "general"


class _TeamsSink:
    name = "test-teams"
    settings_model = _TeamsSettings


def test_a_new_sink_is_one_module_and_one_registry_line(monkeypatch, rebuilt_schema):
    monkeypatch.setitem(SINKS, "test-teams", f"{__name__}:_TeamsSink")
    rebuilt_schema()
    config = parse_config({"notify": {"sinks": [{"type": "test-teams", "channel": "alerts"}]}})
    assert config.notify.sinks[0].channel == "alerts" and config.notify.sinks[0].label == "test-teams"
    assert "unknown key 'notify.sinks.0.test-teams.chanel'" in _refused(
        {"notify": {"sinks": [{"type": "test-teams", "chanel": "alerts"}]}})


# ------------------------------------------------------------------ cost and docs


def test_building_the_schema_imports_no_client_library():
    heavy = ("boto3", "botocore", "hvac", "requests", "model_signing", "torch", "keras", "sklearn")
    probe = ("import sys; from mlsecops.config import config_model; config_model(); "
             f"print([name for name in {heavy!r} if name in sys.modules])")
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert completed.stdout.strip() == "[]"


def test_the_reference_docs_list_each_backend_method_and_sink_from_the_registries():
    from mlsecops.config.reference import render

    text = render()
    for scheme in STORES:
        assert f"## `load.connections.{scheme}`" in text
    assert "| `server_side_encryption` |" in text and "| `passive` |" in text
    assert "## `sign.options (SigstoreOptions)`" in text
    for kind in SINKS:
        assert f"## `notify.sinks[] (type: {kind})`" in text
