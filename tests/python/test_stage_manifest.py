"""The stage manifest is the one source of truth for both sides: static checks (fast)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from mlsecops import stage_manifest
from mlsecops.cli import cli
from mlsecops.config import SECRET_SCOPES
from mlsecops.workspace import STAGES

REPO = Path(__file__).resolve().parents[2]
LIBRARY_COPY = REPO / "resources/org/mlsecops/stages.yaml"
WORKER_SOURCES = REPO / "python/src/mlsecops"


def test_the_worker_packages_a_byte_identical_copy_of_the_librarys_manifest():
    assert stage_manifest.MANIFEST_FILE.read_bytes() == LIBRARY_COPY.read_bytes(), (
        "cp resources/org/mlsecops/stages.yaml python/src/mlsecops/resources/stages.yaml"
    )


def test_stage_order_and_secret_scopes_are_the_manifests():
    manifest = stage_manifest.manifest()
    assert STAGES == tuple(entry.name for entry in manifest.stages if entry.name != "report")
    for entry in manifest.stages:
        assert SECRET_SCOPES[entry.command[0]] == entry.secrets, entry.name


def test_every_command_the_manifest_names_exists_in_the_worker():
    commands = {entry.command[0] for entry in stage_manifest.manifest().stages} | set(stage_manifest.manifest().commands)
    assert commands <= set(cli.list_commands(None)), sorted(commands - set(cli.list_commands(None)))


def test_a_stage_reading_a_folder_no_stage_writes_is_rejected():
    text = LIBRARY_COPY.read_text().replace("reads: [load, train, evaluate]", "reads: [load, train, evalute]")
    try:
        stage_manifest.parse(text)
    except ValueError as exc:
        assert "evalute" in str(exc)
    else:
        raise AssertionError("a misspelt folder was accepted")


def test_the_library_defines_exactly_the_credentials_the_manifest_binds():
    manifest = stage_manifest.manifest()
    bound = {name for entry in manifest.stages for name in entry.credentials}
    defaults = yaml.safe_load((REPO / "resources/org/mlsecops/defaults.yaml").read_text())
    assert set(defaults["credentials"]) == bound == set(manifest.credentials)
    for name, spec in defaults["credentials"].items():
        assert "stages" not in spec, f"{name}: the manifest says which stages bind it"
        declared = manifest.credentials[name]
        if "with" in declared:
            assert spec["passwordVariable"] == declared["with"], name


def test_every_bound_credential_is_read_by_the_worker_or_referenced_in_the_documented_config():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in WORKER_SOURCES.rglob("*.py"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, spec in stage_manifest.manifest().credentials.items():
        variables = [name] + ([spec["with"]] if "with" in spec else [])
        for variable in variables:
            if spec["read"] == "environment":
                # the variable's name as a literal in the worker (os.environ, boto3/hvac read AWS_*/VAULT_*)
                assert re.search(rf"\b{variable}\b", sources), f"{variable} is bound but the worker never reads it"
            else:
                assert spec["read"] == "reference", name
                assert f"${{secret:env://{variable}}}" in readme, (
                    f"{variable} is bound but nothing tells the user to reference it ({spec.get('where')})"
                )


def test_an_optional_stage_names_a_boolean_of_the_config_that_is_off_by_default():
    from mlsecops.config import Config

    optional = [entry for entry in stage_manifest.manifest().stages if entry.enabled_by]
    assert [entry.name for entry in optional] == ["redact"]
    for entry in optional:
        assert entry.enabled(Config()) is False
        assert entry.command[0] in set(cli.list_commands(None))


def test_the_handoff_command_resolves_the_store_secrets_and_binds_its_credentials():
    manifest = stage_manifest.manifest()
    assert SECRET_SCOPES["handoff"] == ("project", "store", "load.connections")
    # the same store credentials as the store stage: handoff talks to the same servers
    assert manifest.command_credentials["handoff"] == manifest.stage("store").credentials
    broken = LIBRARY_COPY.read_text().replace(
        "    credentials: [AWS_ACCESS_KEY_ID, VAULT_TOKEN, VAULT_ROLE_ID, MLSECOPS_NEXUS_USER, MLSECOPS_FTP_USER]\n\n",
        "    credentials: [AWS_ACCESS_KEY_ID, MLSECOPS_S3_TOKEN]\n\n")
    assert broken != LIBRARY_COPY.read_text()
    try:
        stage_manifest.parse(broken)
    except ValueError as exc:
        assert "MLSECOPS_S3_TOKEN" in str(exc)
    else:
        raise AssertionError("a command binding an undefined credential was accepted")
