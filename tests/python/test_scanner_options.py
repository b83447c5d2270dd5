"""Scanner options: each scanner declares its `scan.options.<name>` model, checked when the config is loaded.

A misspelt option is refused in one line naming its place, never silently ignored; the scanner
registry is the only list of names (config, policy, docs); loading a config imports the adapters
it names and nothing heavy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mlsecops.config import load_config, parse_config
from mlsecops.config.reference import render
from mlsecops.config.schema import plugin
from mlsecops.errors import UsageError
from mlsecops.policy import known_scanner_names
from mlsecops.scanners import SCANNERS, get_scanner
from mlsecops.scanners.interface import ScannerOptions, ScanTargets
from scanner_support.fake_secrets import plant


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mlsecops.yaml"
    path.write_text(text)
    return path


def refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(UsageError) as error:
        load_config(write(tmp_path, text))
    message = str(error.value)
    assert "\n" not in message and str(tmp_path / "mlsecops.yaml") in message
    return message


@pytest.mark.parametrize("name", sorted(SCANNERS))
def test_every_registered_scanner_declares_a_strict_options_model_with_documented_keys(name):
    model = plugin("scanner", name).options_model
    assert issubclass(model, ScannerOptions)
    with pytest.raises(Exception, match="Extra inputs are not permitted"):
        model.model_validate({"no_such_option": 1})
    undocumented = [key for key, field in model.model_fields.items() if not field.description]
    assert undocumented == []
    model.model_validate({})  # every option has a default: a scanner runs with none set


@pytest.mark.parametrize(("text", "expected"), [
    ("scan:\n  options:\n    secrets: {baselin: accepted.json}\n", "unknown key 'scan.options.secrets.baselin'"),
    ("scan:\n  options:\n    bandit: {timeout: soon}\n", "scan.options.bandit.timeout: expected a number"),
    ("scan:\n  options:\n    provenance: {unsigned_severity: severe}\n",
     "scan.options.provenance.unsigned_severity: expected 'critical', 'high', 'medium', 'low' or 'info'"),
    ("scan:\n  options:\n    pip-audit: {service: nvd}\n", "scan.options.pip-audit.service: expected 'pypi' or 'osv'"),
    # a scanner without options refuses any key
    ("scan:\n  options:\n    secrets-detect-secrets: {strict: true}\n",
     "unknown key 'scan.options.secrets-detect-secrets.strict'"),
    ("scan:\n  options:\n    dataset: [EMAIL]\n", "scan.options.dataset: expected a mapping"),
    # the folder a scanner run alone names files from is the worker's to set, not an option
    ("scan:\n  options:\n    models: {project_root: /elsewhere}\n", "unknown key 'scan.options.models.project_root'"),
])
def test_a_bad_scanner_option_is_refused_in_one_line_naming_its_place(tmp_path, text, expected):
    assert expected in refusal(tmp_path, text)


def test_an_unknown_scanner_name_is_refused_with_the_registered_ones(tmp_path):
    under_options = refusal(tmp_path, "scan:\n  options:\n    bandt: {skip: [B101]}\n")
    assert f"scan.options.bandt: unknown scanner (known: {', '.join(sorted(SCANNERS))})" in under_options
    in_list = refusal(tmp_path, "scan:\n  scanners: [secrets, bandt]\n")
    assert f"scan.scanners.1: unknown scanner 'bandt' (known: {', '.join(sorted(SCANNERS))})" in in_list


def test_options_are_typed_and_filled_with_their_defaults(tmp_path):
    config = load_config(write(tmp_path, "scan:\n  options:\n    bandit: {skip: [B101]}\n"
                                         "    dataset: {workers: 2, phone_region: GB}\n"))
    bandit, dataset = config.scan.options["bandit"], config.scan.options["dataset"]
    assert isinstance(bandit, get_scanner("bandit").options_model)
    assert (bandit.skip, bandit.timeout) == (["B101"], 1800.0)
    assert (dataset.workers, dataset.phone_region, dataset.parallel_threshold_mb) == (2, "GB", 64.0)


def test_an_option_in_the_config_reaches_the_scanner(tmp_path):
    _, line = plant("aws-access-key-id")
    (tmp_path / "settings.py").write_text(line)
    config = load_config(write(tmp_path, "scan:\n  options:\n    secrets: {disable_rules: [aws-access-key-id]}\n"))
    scanner = get_scanner("secrets")
    default = scanner.scan(ScanTargets(paths=[tmp_path]))
    configured = scanner.scan(ScanTargets(paths=[tmp_path], options=config.scan.options["secrets"]))
    assert "secret/aws-access-key-id" in {f.rule for f in default.findings}
    assert "secret/aws-access-key-id" not in {f.rule for f in configured.findings}


def test_options_given_as_a_mapping_are_checked_when_the_scanner_runs(tmp_path):
    # callers that build ScanTargets themselves (a scanner run alone, the model tests) get the same check
    with pytest.raises(UsageError, match="scanner options: unknown key 'disable_rule'"):
        get_scanner("secrets").scan(ScanTargets(paths=[tmp_path], options={"disable_rule": ["x"]}))


def test_the_project_root_is_no_scanner_option(tmp_path):
    with pytest.raises(UsageError, match="unknown key 'project_root'"):
        get_scanner("secrets").scan(ScanTargets(paths=[tmp_path], options={"project_root": str(tmp_path)}))
    targets = ScanTargets(paths=[tmp_path], options={"hyperscan": False}, project_root=tmp_path)
    assert get_scanner("secrets").options_model.of(targets).hyperscan is False


def test_the_dependencies_scanner_takes_the_options_of_both_scanners_it_may_run():
    config = parse_config({"scan": {"options": {"dependencies": {"osv_dir": "advisories", "service": "osv"}}}})
    options = config.scan.options["dependencies"]
    assert isinstance(options, get_scanner("osv-offline").options_model)
    assert isinstance(options, get_scanner("pip-audit").options_model)
    assert (options.osv_dir, options.service, options.ecosystem) == ("advisories", "osv", "PyPI")


def test_the_registry_is_the_list_of_names_for_the_policy_and_the_reference():
    assert set(SCANNERS) <= known_scanner_names()
    reference = render()
    for name in SCANNERS:
        assert f"## `scan.options.{name}`" in reference
    assert "| `osv_dir` |" in reference.split("## `scan.options.osv-offline`")[1].split("## ")[0]


def _modules_after(code: str) -> list[str]:
    """The worker modules and heavy libraries imported by `code`, in a fresh interpreter."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


HEAVY = ("torch", "keras", "numpy", "pandas", "pyarrow", "sklearn", "boto3", "garak", "spacy", "presidio_analyzer",
         "model_signing", "modelscan", "fickling", "detect_secrets", "bandit")


def test_loading_a_config_imports_only_the_adapters_it_names_and_nothing_heavy():
    plain = _modules_after("from mlsecops.config import parse_config\nparse_config({'scan': {'scanners': ['secrets']}})")
    assert [m for m in plain if m.startswith("mlsecops.scanners.") and m != "mlsecops.scanners.interface"] == []
    named = _modules_after("from mlsecops.config import parse_config\n"
                           "parse_config({'scan': {'options': {'models': {}, 'dataset-presidio': {}}}})")
    assert {"mlsecops.scanners.model_files", "mlsecops.scanners.presidio"} <= set(named)
    assert "mlsecops.scanners.sonar" not in named
    assert [m for m in named if m.split(".")[0] in HEAVY] == []
