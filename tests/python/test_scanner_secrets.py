"""The built-in secrets scanner: what it finds, what it trusts, and how it reads awkward files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from mlsecops.engines.secrets.engine import CHUNK_SIZE
from mlsecops.errors import UsageError
from mlsecops.scanners import SCANNERS, get_scanner
from mlsecops.scanners.interface import ScanTargets
from scanner_support.fake_secrets import PLANTERS, plant

BACKENDS = [True, False]  # Hyperscan, then the pure-`re` fallback: both must agree


def scan(*paths: Path, exclude: list[str] | None = None, **options) -> object:
    return get_scanner("secrets").scan(ScanTargets(paths=list(paths), options=options, exclude=list(exclude or []),
                                                   work_dir=options.pop("work_dir", None)))


def rules_found(outcome) -> list[str]:
    return [f.rule.removeprefix("secret/") for f in outcome.findings]


def test_secrets_is_the_builtin_engine_and_detect_secrets_stays_optional():
    assert SCANNERS["secrets"] == "mlsecops.scanners.secrets:SecretsScanner"
    assert "secrets-detect-secrets" in SCANNERS


@pytest.mark.parametrize("hyperscan", BACKENDS, ids=["hyperscan", "re"])
@pytest.mark.parametrize("rule_id", sorted(PLANTERS))
def test_each_provider_format_is_found_once_and_never_shown_in_full(tmp_path, rule_id, hyperscan):
    value, line = plant(rule_id)
    (tmp_path / "config.py").write_text(f"# settings\nDEBUG = False\n{line}")

    outcome = scan(tmp_path, hyperscan=hyperscan)

    assert rules_found(outcome) == [rule_id]
    finding = outcome.findings[0]
    assert finding.location.path == "config.py" and finding.location.line == 3
    assert finding.category == "secret" and "****" in finding.evidence
    assert value not in json.dumps(finding.to_dict())


def test_the_aws_pair_of_the_insecure_demo_is_found(tmp_path):
    from mlsecops import demo

    root = demo.materialize("insecure", tmp_path / "demo").parent
    outcome = scan(root)

    found = {(f.rule, f.location.path) for f in outcome.findings}
    assert ("secret/aws-access-key-id", "app/settings.py") in found
    assert ("secret/aws-secret-access-key", "app/settings.py") in found
    dumped = json.dumps([f.to_dict() for f in outcome.findings])
    assert not [v for v in demo.planted_values("insecure") if v in dumped]


@pytest.mark.parametrize(
    "text",
    [
        'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n',  # AWS's documented example key
        'password = "changeme123"\n',
        'password = "${DB_PASSWORD}"\n',
        'api_key = "<your-api-key-here>"\n',
        'token = "xxxxxxxxxxxxxxxxxxxx"\n',
        'secret = "aaaaaaaaaaaaaaaa"\n',  # no entropy
        'password = settings.database.password\n',
        'password = os.environ["DB_PASSWORD"]\n',
        "postgres://user:${PGPASSWORD}@localhost/db\n",
    ],
)
def test_placeholders_and_references_are_not_secrets(tmp_path, text):
    (tmp_path / "app.py").write_text(text)
    assert scan(tmp_path).findings == []


def test_a_provider_token_in_an_assignment_is_reported_once_by_its_provider_rule(tmp_path):
    value, _ = plant("github-pat")
    (tmp_path / "ci.py").write_text(f'github_token = "{value}"\n')
    assert rules_found(scan(tmp_path)) == ["github-pat"]


def test_an_inline_allow_comment_trusts_that_line_only(tmp_path):
    first, _ = plant("stripe-key", seed=1)
    second, _ = plant("stripe-key", seed=2)
    (tmp_path / "billing.py").write_text(
        f'TEST_KEY = "{first}"  # mlsecops:allow test fixture\nLIVE_KEY = "{second}"\n'
    )
    outcome = scan(tmp_path)
    assert [f.location.line for f in outcome.findings] == [2]


def test_a_baseline_accepts_known_secrets_even_after_their_line_moves(tmp_path):
    value, line = plant("slack-token")
    source = tmp_path / "src"
    source.mkdir()
    (source / "notify.py").write_text(line)
    first = scan(source, work_dir=tmp_path / "run1")
    assert len(first.findings) == 1
    baseline = tmp_path / "run1" / "secrets-baseline.json"
    assert value not in baseline.read_text()

    (source / "notify.py").write_text("import os\n\n\n" + line)
    second = scan(source, baseline=str(baseline))
    assert second.findings == []
    assert "1 secret(s) accepted by the baseline" in second.message

    _other, other_line = plant("slack-token", seed=99)
    (source / "other.py").write_text(other_line)
    assert [f.location.path for f in scan(source, baseline=str(baseline)).findings] == ["other.py"]


def test_a_broken_baseline_is_a_usage_error_naming_the_file(tmp_path):
    broken = tmp_path / "baseline.json"
    broken.write_text("{not json")
    with pytest.raises(UsageError, match="baseline.json"):
        scan(tmp_path, baseline=str(broken))


def test_lock_files_hashes_are_not_secrets_but_tokens_in_them_are(tmp_path):
    value, _ = plant("github-pat")
    (tmp_path / "package-lock.json").write_text(json.dumps({
        "packages": {"node_modules/x": {
            "integrity": "sha512-" + "Zm9vYmFy" * 11,
            "resolved": f"https://x:{value}@npm.example.com/x.tgz",
            "token": "Q2hlY2tTdW1WYWx1ZTEyMzQ1Njc4OQ",
        }}
    }, indent=1))
    assert rules_found(scan(tmp_path)) == ["github-pat"]


def test_binary_files_are_listed_as_skipped_not_silently_passed(tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"\x00\x01" * 100)
    (tmp_path / "blob.dat").write_bytes(b"abc\x00def")
    outcome = scan(tmp_path)
    assert outcome.scanned == 0
    assert outcome.skipped == ["2 binary file(s) not scanned for secrets: blob.dat, weights.bin"]


def test_invalid_utf8_around_a_secret_does_not_hide_it(tmp_path):
    _value, line = plant("huggingface-token")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9 \xff\xfe\n" + line.encode() + b"\xc3\x28\n")
    assert rules_found(scan(tmp_path)) == ["huggingface-token"]


def test_a_secret_on_a_line_longer_than_a_chunk_is_found_once(tmp_path):
    value, _ = plant("google-api-key")
    filler = b"a" * (CHUNK_SIZE - 10)  # the key straddles the first chunk boundary
    (tmp_path / "minified.js").write_bytes(filler + b" k='" + value.encode() + b"'; " + b"b" * 1000)
    outcome = scan(tmp_path)
    assert rules_found(outcome) == ["google-api-key"]
    assert outcome.findings[0].location.line == 1


def test_excluded_paths_are_not_scanned(tmp_path):
    _, line = plant("npm-token") if "npm-token" in PLANTERS else plant("gitlab-token")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "lib.py").write_text(line)
    targets = ScanTargets(paths=[tmp_path], exclude=["vendor"])
    assert get_scanner("secrets").scan(targets).findings == []


def test_finding_ids_are_stable_across_runs_and_differ_per_secret(tmp_path):
    _, one = plant("stripe-key", seed=1)
    _, two = plant("stripe-key", seed=2)
    (tmp_path / "a.py").write_text(one + two)
    first = [f.id for f in scan(tmp_path).findings]
    second = [f.id for f in scan(tmp_path).findings]
    assert first == second and len(set(first)) == 2


def test_an_unknown_rule_to_disable_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="disable_rules"):
        scan(tmp_path, disable_rules=["no-such-rule"])


def test_disabled_rules_are_not_reported(tmp_path):
    _, line = plant("jwt")
    (tmp_path / "a.txt").write_text(line)
    assert scan(tmp_path, disable_rules=["jwt"]).findings == []


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}).stdout.strip()


def test_history_scanning_finds_a_secret_added_then_removed_since_the_base_ref(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("print('hello')\n")
    _git(repo, "add", "."), _git(repo, "commit", "-qm", "base")
    value, line = plant("aws-access-key-id")
    (repo / "app.py").write_text("print('hello')\n" + line)
    _git(repo, "commit", "-qam", "oops")
    leaked_in = _git(repo, "rev-parse", "HEAD")
    (repo / "app.py").write_text("print('hello')\n")
    _git(repo, "commit", "-qam", "remove key")

    assert scan(repo, exclude=[".git"]).findings == []
    outcome = scan(repo, git_base_ref="HEAD~2")
    assert [(f.rule, f.location.path, f.location.line, f.properties["commit"]) for f in outcome.findings] == [
        ("secret/aws-access-key-id", "app.py", 2, leaked_in)
    ]
    assert value not in json.dumps(outcome.findings[0].to_dict())
    with pytest.raises(UsageError, match="no-such-branch"):
        scan(repo, git_base_ref="no-such-branch")


def test_an_unreadable_file_is_a_high_finding_and_the_others_are_still_scanned(tmp_path, monkeypatch):
    from mlsecops.engines.secrets.engine import SecretsEngine

    value, line = plant("aws-access-key-id")
    (tmp_path / "locked.py").write_text(line)
    (tmp_path / "settings.py").write_text(line)
    real_scan_file = SecretsEngine.scan_file

    def scan_file(self, path: Path, **kwargs):
        if path.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scan_file(self, path, **kwargs)

    monkeypatch.setattr(SecretsEngine, "scan_file", scan_file)
    outcome = scan(tmp_path)

    assert outcome.status == "ran"
    assert outcome.scanned == 1
    assert sorted((f.rule, f.location.path) for f in outcome.findings) == [
        ("secret/aws-access-key-id", "settings.py"), ("secret/not-scanned", "locked.py")]
    unreadable = next(f for f in outcome.findings if f.rule == "secret/not-scanned")
    assert unreadable.severity.value == "high"
    assert unreadable.properties["reason"] == "unreadable (PermissionError)"
    assert value not in json.dumps(unreadable.to_dict())


def test_a_tree_whose_only_text_file_is_unreadable_ran_and_says_so(tmp_path, monkeypatch):
    from mlsecops.engines.secrets.engine import SecretsEngine

    def unreadable(self, path: Path, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    (tmp_path / "locked.py").write_text("x = 1\n")
    monkeypatch.setattr(SecretsEngine, "scan_file", unreadable)
    outcome = scan(tmp_path)
    assert outcome.status == "ran"
    assert [f.rule for f in outcome.findings] == ["secret/not-scanned"]


def test_cli_scans_a_tree_and_prints_json(cli, tmp_path):
    value, line = plant("aws-access-key-id")
    (tmp_path / "settings.py").write_text(line)
    result = cli("scan", "secrets", str(tmp_path), "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "ran"
    assert [f["rule"] for f in report["findings"]] == ["secret/aws-access-key-id"]
    assert value not in result.output


def test_detect_secrets_adapter_reports_through_its_python_api(tmp_path):
    value, line = plant("aws-access-key-id")
    (tmp_path / "settings.py").write_text(line)
    outcome = get_scanner("secrets-detect-secrets").scan(ScanTargets(paths=[tmp_path]))
    assert outcome.status == "ran" and outcome.tool_version
    assert [f.rule for f in outcome.findings] == ["detect-secrets/aws-access-key"]
    assert value not in json.dumps(outcome.findings[0].to_dict())


def test_a_loaded_copy_of_a_tree_file_is_scanned_once_under_its_tree_path(tmp_path):
    _, line = plant("gitlab-token")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "notebook.py").write_text(line)
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "notebook.py").write_text(line)
    from mlsecops.scanners.interface import LoadedArtifact

    targets = ScanTargets(paths=[tmp_path / "src"],
                          artifacts=[LoadedArtifact("nb", "code", tmp_path / "workspace" / "notebook.py")])
    outcome = get_scanner("secrets").scan(targets)
    assert [f.location.path for f in outcome.findings] == ["notebook.py"]
    assert outcome.findings[0].location.artifact is None
    assert outcome.skipped == ["notebook.py: same bytes as notebook.py in the tree, scanned once there"]


@pytest.mark.parametrize("text", [
    '"secrets": "mlsecops.scanners.secrets:SecretsScanner",\n',  # a plug-in registry entry
    'K8S_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"\n',
    '_TOKEN = re.compile(r"\\w+(?:\'\\w+)?")\n',
    'line = f\'AWS_SECRET_ACCESS_KEY = "{key.secret_access_key}"\'\n',
    'token_id = "3f2b8c1e-9a4d-4e2b-8f6a-1c2d3e4f5a6b"\n',
    'password_field = "passwordConfirmation"\n',
])
def test_code_paths_templates_and_identifiers_are_not_secrets(tmp_path, text):
    (tmp_path / "code.py").write_text(text)
    assert scan(tmp_path).findings == []


def test_alone_on_a_folder_or_file_of_the_project_a_finding_has_the_pipelines_path_and_id(cli, tmp_path):
    _, line = plant("aws-access-key-id")
    (tmp_path / "mlsecops.yaml").write_text("scan:\n  scanners: [secrets]\n")
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "conf.py").write_text("# settings\n" + line)
    assert cli("scan").exit_code == 0
    (in_pipeline,) = json.loads((tmp_path / ".mlsecops" / "scan" / "result.json").read_text())["findings"]
    assert in_pipeline["location"]["path"] == "src/app/conf.py"
    for path in ("src", "src/app", "src/app/conf.py", str(tmp_path / "src")):
        alone = cli("scan", "secrets", path, "--format", "json")
        (finding,) = json.loads(alone.stdout)["findings"]
        assert (finding["location"]["path"], finding["id"]) == ("src/app/conf.py", in_pipeline["id"]), path
    # run from inside the folder with the project's config: still named from the project root
    inside = cli("--config", "../mlsecops.yaml", "scan", "secrets", ".", "--format", "json", cwd=tmp_path / "src")
    assert json.loads(inside.stdout)["findings"][0]["id"] == in_pipeline["id"]


AWS_SECRET = "EqV8ib8HDy88YtDtXbiufMdI8X2Y4rUmer+BH3M1"  # random, in the AWS secret access key shape


@pytest.mark.parametrize("hyperscan", BACKENDS)
@pytest.mark.parametrize("text", [
    f"my aws secret is {AWS_SECRET}",
    f"secret: {AWS_SECRET}",
    f'{{"secret": "{AWS_SECRET}"}}',
    f"AWS Secret Access Key: {AWS_SECRET} (rotate me)",
    f"Secret key was {AWS_SECRET}",
])
def test_a_40_character_key_after_the_word_secret_is_an_aws_secret_access_key(text, hyperscan):
    from mlsecops.engines.secrets.engine import SecretsEngine

    (hit,) = SecretsEngine(prefer_hyperscan=hyperscan).scan_bytes(text.encode())
    assert (hit.rule.id, hit.text) == ("aws-secret-access-key", AWS_SECRET)


@pytest.mark.parametrize("hyperscan", BACKENDS)
@pytest.mark.parametrize("text", [
    "secret: 3f786850e387550fdab836ed7e6dc881de23001b",  # a SHA-1 / git commit: hex, one case
    "my aws secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # AWS's documented example
    f"secretary{AWS_SECRET}",
    f"the secret ingredient is love, batch {AWS_SECRET}",  # the key is not what "secret" names
])
def test_what_follows_secret_must_be_a_random_mixed_key_to_count(text, hyperscan):
    from mlsecops.engines.secrets.engine import SecretsEngine

    assert SecretsEngine(prefer_hyperscan=hyperscan).scan_bytes(text.encode()) == [], text


def test_a_dataset_cell_holding_a_secret_after_the_word_secret_is_a_critical_api_key_finding(tmp_path):
    from mlsecops.scanners.interface import LoadedArtifact

    (tmp_path / "chats.csv").write_text(
        f'id,text\n1,"my aws secret is {AWS_SECRET}"\n2,hello\n3,"secret: {AWS_SECRET[::-1]}"\n')
    artifact = LoadedArtifact(name="chats.csv", kind="dataset", path=tmp_path / "chats.csv")
    outcome = get_scanner("dataset").scan(ScanTargets(artifacts=[artifact]))
    (finding,) = outcome.findings
    assert (finding.rule, finding.severity.value, finding.properties["rows"]) == ("pii/api-key", "critical", 2)
    assert AWS_SECRET not in json.dumps(finding.to_dict()) and AWS_SECRET[::-1] not in json.dumps(finding.to_dict())
