"""Dependency scanning: manifests, offline OSV matching per PEP 440, CVSS, SBOM, and the tool adapters."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from mlsecops.engines.deps.requirements import ManifestError, read_manifest
from mlsecops.engines.deps.vulns import cvss3_base_score
from mlsecops.scanners import get_scanner
from mlsecops.scanners.interface import LoadedArtifact, ScanTargets
from mlsecops.scanners.osv_offline import OsvDatabase
from scanner_support.fake_tools import calls_of, install_fake_tool


def advisory(id_: str, package: str, events: list[dict], *, aliases=(), versions=(), severity=None,
             vector=None, withdrawn=None) -> dict:
    data = {
        "id": id_, "modified": "2026-01-02T00:00:00Z", "summary": f"flaw {id_}", "aliases": list(aliases),
        "affected": [{"package": {"ecosystem": "PyPI", "name": package},
                      "ranges": [{"type": "ECOSYSTEM", "events": events}], "versions": list(versions)}],
        "references": [{"type": "ADVISORY", "url": f"https://example.org/{id_}"}],
    }
    if severity:
        data["database_specific"] = {"severity": severity}
    if vector:
        data["severity"] = [{"type": "CVSS_V3", "score": vector}]
    if withdrawn:
        data["withdrawn"] = withdrawn
    return data


@pytest.fixture
def osv_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "osv"
    folder.mkdir()
    advisories = [
        advisory("GHSA-aaaa-bbbb-cccc", "Jinja2", [{"introduced": "0"}, {"fixed": "2.11.3"}],
                 aliases=["CVE-2020-28493", "PYSEC-2021-66"], severity="MODERATE"),
        advisory("PYSEC-2021-66", "jinja2", [{"introduced": "0"}, {"fixed": "2.11.3"}],
                 aliases=["CVE-2020-28493", "GHSA-aaaa-bbbb-cccc"]),
        advisory("GHSA-dddd-eeee-ffff", "requests", [{"introduced": "2.3.0"}, {"last_affected": "2.31.0"}],
                 aliases=["CVE-2024-0001"], vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        advisory("GHSA-gggg-hhhh-iiii", "torch", [{"introduced": "1.0"}, {"fixed": "1.13.1"},
                                                   {"introduced": "2.0.0"}, {"fixed": "2.0.1"}]),
        advisory("GHSA-withdrawn-0000", "numpy", [{"introduced": "0"}], withdrawn="2025-01-01T00:00:00Z"),
    ]
    # OSV's export is a zip of one JSON per advisory; one more plain JSON beside it
    with zipfile.ZipFile(folder / "all.zip", "w") as archive:
        for entry in advisories[:-1]:
            archive.writestr(f"{entry['id']}.json", json.dumps(entry))
    (folder / "GHSA-withdrawn-0000.json").write_text(json.dumps(advisories[-1]))
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_requirements_files_give_pins_with_their_lines(tmp_path):
    write(tmp_path / "base.txt", "numpy==1.26.4\n")
    manifest = write(tmp_path / "requirements.txt",
                     "# runtime\n-r base.txt\nJinja2[i18n]==2.11.0 ; python_version >= '3.8' \\\n"
                     "    --hash=sha256:abc\nrequests>=2.0\n--index-url https://pypi.example.org/simple\n"
                     "torch===2.0.0\n./local-package\n")
    found = [(d.name, d.version, d.source, d.line) for d in read_manifest(manifest, "requirements.txt")]
    assert found == [("numpy", "1.26.4", "base.txt", 1), ("jinja2", "2.11.0", "requirements.txt", 3),
                     ("requests", None, "requirements.txt", 5), ("torch", "2.0.0", "requirements.txt", 7)]


def test_lock_files_give_their_pins(tmp_path):
    write(tmp_path / "Pipfile.lock", json.dumps({"default": {"jinja2": {"version": "==2.11.0"}}, "develop": {}}))
    write(tmp_path / "poetry.lock", '[[package]]\nname = "Requests"\nversion = "2.31.0"\n')
    write(tmp_path / "uv.lock", 'version = 1\n[[package]]\nname = "torch"\nversion = "2.0.0"\n')
    assert [(d.name, d.version) for name in ("Pipfile.lock", "poetry.lock", "uv.lock")
            for d in read_manifest(tmp_path / name, name)] == [
        ("jinja2", "2.11.0"), ("requests", "2.31.0"), ("torch", "2.0.0")]


def test_a_malformed_requirement_names_its_line(tmp_path):
    manifest = write(tmp_path / "requirements.txt", "numpy==1.0\nthis is not ! a requirement\n")
    with pytest.raises(ManifestError, match="line 2"):
        read_manifest(manifest, "requirements.txt")


@pytest.mark.parametrize(("vector", "score"), [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
])
def test_cvss3_base_scores_follow_the_specification(vector, score):
    assert cvss3_base_score(vector) == score


def test_cvss4_or_broken_vectors_have_no_v3_score():
    assert cvss3_base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N") is None
    assert cvss3_base_score("CVSS:3.1/AV:N") is None


@pytest.mark.parametrize(("package", "version", "expected"), [
    ("jinja2", "2.11.0", ["GHSA-aaaa-bbbb-cccc"]),  # PYSEC twin merged into the GHSA record
    ("jinja2", "2.11.3", []),  # the fixed version
    ("requests", "2.31.0", ["GHSA-dddd-eeee-ffff"]),  # last_affected is inclusive
    ("requests", "2.31.1", []),
    ("requests", "2.2.9", []),  # before introduced
    ("torch", "1.13.0", ["GHSA-gggg-hhhh-iiii"]),
    ("torch", "1.13.1", []),
    ("torch", "2.0.0", ["GHSA-gggg-hhhh-iiii"]),  # second range of the same advisory
    ("torch", "2.0.1", []),
    ("torch", "2.0.0rc1", []),  # a pre-release sorts before 2.0.0 (PEP 440), between the ranges
    ("numpy", "1.0.0", []),  # withdrawn advisories do not count
])
def test_osv_ranges_are_evaluated_per_pep_440(osv_dir, package, version, expected):
    database = OsvDatabase.load(osv_dir)
    assert [v.id for v in database.vulnerabilities(package, version)] == expected


def test_osv_offline_findings_carry_ids_cvss_fixes_and_manifest_line(osv_dir, tmp_path):
    project = tmp_path / "project"
    write(project / "requirements.txt", "jinja2==2.11.0\nrequests==2.31.0\nflask>=2\n")
    outcome = get_scanner("osv-offline").scan(ScanTargets(paths=[project], options={"osv_dir": str(osv_dir)},
                                                         work_dir=tmp_path / "work"))
    assert outcome.status == "ran" and outcome.tool_version.startswith("mlsecops-osv-offline (4 advisories")
    by_rule = {f.rule: f for f in outcome.findings}
    assert set(by_rule) == {"dependency/CVE-2020-28493", "dependency/CVE-2024-0001", "dependency/unpinned"}
    jinja = by_rule["dependency/CVE-2020-28493"]
    assert (jinja.severity.value, jinja.location.path, jinja.location.line) == ("medium", "requirements.txt", 1)
    assert jinja.properties["ghsa"] == ["GHSA-aaaa-bbbb-cccc"] and jinja.properties["fixed_versions"] == ["2.11.3"]
    requests = by_rule["dependency/CVE-2024-0001"]
    assert (requests.severity.value, requests.properties["cvss_score"]) == ("critical", 9.8)
    assert by_rule["dependency/unpinned"].severity.value == "low"


def test_the_sbom_lists_every_scanned_requirement_as_valid_cyclonedx(osv_dir, tmp_path):
    write(tmp_path / "req" / "requirements.txt", "jinja2==2.11.0\nnumpy==2.0.0\nflask\n")
    artifact = LoadedArtifact("requirements", "requirements", tmp_path / "req" / "requirements.txt")
    get_scanner("osv-offline").scan(ScanTargets(artifacts=[artifact], options={"osv_dir": str(osv_dir)},
                                                work_dir=tmp_path / "work"))
    sbom_text = (tmp_path / "work" / "sbom.cdx.json").read_text()
    sbom = json.loads(sbom_text)
    assert [c["purl"] for c in sbom["components"]] == ["pkg:pypi/flask", "pkg:pypi/jinja2@2.11.0",
                                                       "pkg:pypi/numpy@2.0.0"]
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(sbom_text) is None


def test_osv_offline_without_advisories_does_not_pass(tmp_path):
    write(tmp_path / "requirements.txt", "jinja2==2.11.0\n")
    unset = get_scanner("osv-offline").scan(ScanTargets(paths=[tmp_path]))
    assert unset.status == "not-run" and "osv_dir" in unset.message
    (tmp_path / "empty").mkdir()
    empty = get_scanner("osv-offline").scan(ScanTargets(paths=[tmp_path], options={"osv_dir": str(tmp_path / "empty")}))
    assert empty.status == "not-run" and "no PyPI advisories" in empty.message


def test_broken_manifests_and_advisories_are_reported_as_skipped(osv_dir, tmp_path):
    (osv_dir / "garbage.json").write_text("{nope")
    write(tmp_path / "p" / "requirements.txt", "numpy==1\n%%% broken\n")
    outcome = get_scanner("osv-offline").scan(ScanTargets(paths=[tmp_path / "p"], options={"osv_dir": str(osv_dir)}))
    assert outcome.skipped == ["advisories: garbage.json: not JSON",
                               "requirements.txt: line 2: not a requirement: '%%% broken'"]


def test_dependencies_uses_offline_osv_when_an_advisory_folder_is_set(osv_dir, tmp_path):
    write(tmp_path / "p" / "requirements.txt", "jinja2==2.11.0\n")
    outcome = get_scanner("dependencies").scan(ScanTargets(paths=[tmp_path / "p"], options={"osv_dir": str(osv_dir)}))
    assert outcome.scanner == "dependencies" and outcome.tool_version.startswith("osv-offline:")
    assert [f.rule for f in outcome.findings] == ["dependency/CVE-2020-28493"]


PIP_AUDIT_REPORT = {
    "dependencies": [
        {"name": "jinja2", "version": "2.11.0", "vulns": [
            {"id": "PYSEC-2021-66", "fix_versions": ["2.11.3"], "aliases": ["CVE-2020-28493", "GHSA-g3rq-g295-4j3m"],
             "description": "ReDoS in the urlize filter.\nMore text."}]},
        {"name": "numpy", "version": "2.0.0", "vulns": []},
        {"name": "private-pkg", "version": "1.0", "skip_reason": "Dependency not found on PyPI"},
    ],
    "fixes": [],
}


def test_pip_audit_gets_every_pin_without_resolution_and_its_report_is_read(tmp_path):
    tool = install_fake_tool(tmp_path / "bin", "pip-audit", PIP_AUDIT_REPORT)
    write(tmp_path / "p" / "requirements.txt", "jinja2==2.11.0\nnumpy==2.0.0\nprivate-pkg==1.0\n")
    write(tmp_path / "p" / "poetry.lock", '[[package]]\nname = "jinja2"\nversion = "2.11.0"\n')
    outcome = get_scanner("pip-audit").scan(ScanTargets(paths=[tmp_path / "p"], options={"binary": str(tool)},
                                                       work_dir=tmp_path / "work"))
    [version_call, audit_call] = calls_of(tool)
    assert version_call == ["--version"]
    assert {"--no-deps", "--disable-pip"} <= set(audit_call)
    assert (tmp_path / "work" / "pip-audit-input.txt").read_text() == (
        "jinja2==2.11.0\nnumpy==2.0.0\nprivate-pkg==1.0\n")
    assert sorted((f.rule, f.location.path, f.location.line or 0, f.severity.value) for f in outcome.findings) == [
        ("dependency/CVE-2020-28493", "poetry.lock", 0, "high"),
        ("dependency/CVE-2020-28493", "requirements.txt", 1, "high"),
    ]
    assert outcome.findings[0].title == "jinja2 2.11.0: ReDoS in the urlize filter."
    assert outcome.skipped == ["private-pkg: Dependency not found on PyPI"]


def test_pip_audit_that_could_audit_nothing_is_an_error_not_a_pass(tmp_path):
    report = {"dependencies": [{"name": "jinja2", "version": "2.11.0", "skip_reason": "network unreachable"}]}
    tool = install_fake_tool(tmp_path / "bin", "pip-audit", report)
    write(tmp_path / "p" / "requirements.txt", "jinja2==2.11.0\n")
    outcome = get_scanner("pip-audit").scan(ScanTargets(paths=[tmp_path / "p"], options={"binary": str(tool)}))
    assert outcome.status == "error" and "network unreachable" in outcome.message


def test_pip_audit_without_a_report_is_an_error(tmp_path):
    tool = install_fake_tool(tmp_path / "bin", "pip-audit", None, exit_code=2)
    write(tmp_path / "p" / "requirements.txt", "jinja2==2.11.0\n")
    outcome = get_scanner("pip-audit").scan(ScanTargets(paths=[tmp_path / "p"], options={"binary": str(tool)},
                                                       work_dir=tmp_path / "w"))
    assert outcome.status == "error" and "wrote no report (exit 2)" in outcome.message


TRIVY_REPORT = {
    "SchemaVersion": 2,
    "Results": [{
        "Target": "requirements.txt", "Class": "lang-pkgs", "Type": "pip",
        "Vulnerabilities": [{
            "VulnerabilityID": "CVE-2020-28493", "VendorIDs": ["GHSA-g3rq-g295-4j3m"], "PkgName": "Jinja2",
            "InstalledVersion": "2.11.0", "FixedVersion": "2.11.3", "Severity": "MEDIUM",
            "Title": "jinja2: ReDoS via the urlize filter", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2020-28493",
            "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "V3Score": 5.3}},
        }],
    }, {"Target": "Pipfile.lock", "Class": "lang-pkgs", "Type": "pipenv"}],
}


def test_trivy_fs_report_becomes_findings_with_cvss_and_fixes(tmp_path):
    tool = install_fake_tool(tmp_path / "bin", "trivy", TRIVY_REPORT)
    write(tmp_path / "p" / "requirements.txt", "jinja2==2.11.0\n")
    outcome = get_scanner("trivy").scan(ScanTargets(paths=[tmp_path / "p"], exclude=[".git"],
                                                   options={"binary": str(tool), "offline": True},
                                                   work_dir=tmp_path / "w"))
    call = calls_of(tool)[-1]
    assert call[:4] == ["fs", "--format", "json", "--scanners"] and "--offline-scan" in call
    assert call[-1] == str(tmp_path / "p") and ["--skip-dirs", ".git"] == call[call.index("--skip-dirs"):][:2]
    [finding] = outcome.findings
    assert (finding.rule, finding.severity.value, finding.location.path) == (
        "dependency/CVE-2020-28493", "medium", "requirements.txt")
    assert finding.properties["cvss_score"] == 5.3 and finding.properties["fixed_versions"] == ["2.11.3"]
    assert finding.properties["ghsa"] == ["GHSA-g3rq-g295-4j3m"]


DEPENDENCY_CHECK_REPORT = {
    "reportSchema": "1.1",
    "scanInfo": {"engineVersion": "10.0.3"},
    "dependencies": [{
        "fileName": "requirements.txt: jinja2:2.11.0", "filePath": "REPLACED",
        "packages": [{"id": "pkg:pypi/jinja2@2.11.0", "confidence": "HIGHEST"}],
        "vulnerabilities": [{
            "source": "NVD", "name": "CVE-2020-28493", "severity": "MEDIUM",
            "cvssv3": {"baseScore": 5.3, "attackVector": "NETWORK"},
            "description": "This affects the package jinja2 from 0.0.0 and before 2.11.3.",
            "references": [{"source": "MISC", "url": "https://github.com/pallets/jinja/pull/1343"}],
        }],
    }, {"fileName": "numpy", "filePath": "x", "vulnerabilities": []}],
}


def test_dependency_check_json_report_becomes_findings(tmp_path):
    project = write(tmp_path / "p" / "requirements.txt", "jinja2==2.11.0\n").parent
    report = json.loads(json.dumps(DEPENDENCY_CHECK_REPORT).replace("REPLACED", str(project / "requirements.txt")))
    tool = install_fake_tool(tmp_path / "bin", "dependency-check", report)
    outcome = get_scanner("dependency-check").scan(ScanTargets(paths=[project], options={"binary": str(tool)},
                                                              work_dir=tmp_path / "w"))
    [finding] = outcome.findings
    assert (finding.rule, finding.severity.value, finding.location.path, finding.properties["package"]) == (
        "dependency/CVE-2020-28493", "medium", "requirements.txt", "jinja2")
    assert "--noupdate" not in calls_of(tool)[-1]


@pytest.mark.parametrize("name", ["trivy", "dependency-check", "secrets-gitleaks", "semgrep"])
def test_a_missing_binary_is_reported_as_not_run(name, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    outcome = get_scanner(name).scan(ScanTargets(paths=[tmp_path]))
    assert outcome.status == "not-run" and "not on PATH" in outcome.message
    configured = get_scanner(name).scan(ScanTargets(paths=[tmp_path], options={"binary": str(tmp_path / "nope")}))
    assert configured.status == "not-run"


def test_a_relative_advisory_folder_is_found_from_the_scanned_root(osv_dir, tmp_path, monkeypatch):
    project = tmp_path / "project"
    write(project / "requirements.txt", "jinja2==2.11.0\n")
    osv_dir.rename(project / "advisories")
    monkeypatch.chdir(tmp_path)  # the worker runs somewhere else than the checkout
    outcome = get_scanner("osv-offline").scan(ScanTargets(paths=[project], options={"osv_dir": "advisories"}))
    assert [f.rule for f in outcome.findings] == ["dependency/CVE-2020-28493"]
