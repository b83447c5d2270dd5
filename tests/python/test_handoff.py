"""`mlsecops handoff`: a stage folder too large for a Jenkins stash travels through a real store
(S3 on a moto server, a Nexus raw repository on nginx) from one agent's workspace to another's,
with only the small pointer file carried by the stash."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import boto3
import pytest
import yaml
from servers.moto_server import moto_server
from servers.nginx_nexus import nginx_nexus
from stores_support import run_cli

pytestmark = pytest.mark.timeout(120)
BUCKET = "ml-handoff"
BUILD = "jenkins-team-model-7"


@pytest.fixture(scope="module")
def moto():
    with moto_server() as endpoint:
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id="AKIAMLSECOPSTEST0001", aws_secret_access_key="x").create_bucket(Bucket=BUCKET)
        yield endpoint


@pytest.fixture(scope="module")
def nexus():
    with nginx_nexus() as server:
        yield server


@pytest.fixture(params=["s3", "nexus"])
def project(request, tmp_path: Path) -> Path:
    """A checkout whose mlsecops.yaml hands folders off through the backend: its config path."""
    fast = {"retries": 1, "backoff_seconds": 0.01, "timeout": 5.0}
    if request.param == "s3":
        endpoint = request.getfixturevalue("moto")
        url = f"s3://{BUCKET}/{os.urandom(4).hex()}"
        connections = {"s3": {"endpoint_url": endpoint, "region": "us-east-1",
                              "username": "AKIAMLSECOPSTEST0001", "password": "x", **fast}}
    else:
        server = request.getfixturevalue("nexus")
        url = f"{server.url}/{os.urandom(4).hex()}"
        connections = {"nexus": {"username": server.username, "password": server.password, **fast}}
    config = {"project": {"name": "demo"}, "store": {"url": "file://releases", "handoff_url": url,
                                                     "connections": connections}}
    path = tmp_path / "checkout" / "mlsecops.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def train_folder(workspace: Path) -> dict[str, bytes]:
    files = {"model.keras": os.urandom(300_000), "result.json": b'{"stage": "train"}', "sub/labels.json": b"[1]"}
    for name, data in files.items():
        (workspace / "train" / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / "train" / name).write_bytes(data)
    return files


def handoff(capsys, config: Path, workspace: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "--config", str(config), "--workspace", str(workspace), "handoff", *args)


def carry_pointer(source: Path, target: Path) -> None:
    """What stash + unstash of `.mlsecops/.handoff/**` do: only the pointer reaches the next agent."""
    shutil.copytree(source / ".handoff", target / ".handoff")


def test_size_reports_the_folder_as_json_for_the_library_to_decide(capsys, project, tmp_path):
    workspace = tmp_path / "agent-1" / ".mlsecops"
    files = train_folder(workspace)
    (workspace / "sign" / "local-key").mkdir(parents=True)
    (workspace / "sign" / "local-key" / "key.pem").write_bytes(b"k" * 1000)
    (workspace / "sign" / "result.json").write_bytes(b"{}")
    code, out, _ = handoff(capsys, project, workspace, "size", "train")
    assert code == 0
    assert json.loads(out) == {"folder": "train", "bytes": sum(map(len, files.values())), "files": 3}
    code, out, _ = handoff(capsys, project, workspace, "size", "sign", "--exclude", "local-key/**")
    assert json.loads(out) == {"folder": "sign", "bytes": 2, "files": 1}
    code, out, _ = handoff(capsys, project, workspace, "size", "evaluate")
    assert json.loads(out)["bytes"] == 0  # a folder the stage did not write


def test_a_folder_put_on_one_agent_is_restored_byte_for_byte_on_another(capsys, project, tmp_path):
    first, second = tmp_path / "agent-1" / ".mlsecops", tmp_path / "agent-2" / ".mlsecops"
    files = train_folder(first)
    code, out, err = handoff(capsys, project, first, "put", "train", "--build", BUILD)
    assert code == 0, err
    pointer = json.loads(out)
    assert pointer["key"] == f"handoff/{BUILD}/train/{pointer['sha256']}.tar" and pointer["files"] == 3
    assert json.loads((first / ".handoff" / "train.json").read_text()) == pointer
    assert (first / ".handoff" / "train.json").stat().st_size < 1000  # what the stash carries
    carry_pointer(first, second)
    code, out, err = handoff(capsys, project, second, "get", "train")
    assert code == 0, err
    restored = {p.relative_to(second / "train").as_posix(): p.read_bytes()
                for p in (second / "train").rglob("*") if p.is_file()}
    assert restored == files
    assert not (second / ".handoff" / "train.json").exists()  # a later build here never restores it again
    # the same folder gives the same object: a retried stage uploads nothing new
    code, again, _ = handoff(capsys, project, first, "put", "train", "--build", BUILD)
    assert json.loads(again)["key"] == pointer["key"]


def test_files_that_must_stay_on_their_agent_are_never_uploaded(capsys, project, tmp_path):
    first, second = tmp_path / "agent-1" / ".mlsecops", tmp_path / "agent-2" / ".mlsecops"
    (first / "sign" / "local-key").mkdir(parents=True)
    (first / "sign" / "local-key" / "private.pem").write_text("a key")
    (first / "sign" / "model.sig").write_text("signature")
    code, _, err = handoff(capsys, project, first, "put", "sign", "--build", BUILD, "--exclude", "local-key/**")
    assert code == 0, err
    carry_pointer(first, second)
    assert handoff(capsys, project, second, "get", "sign")[0] == 0
    assert sorted(p.name for p in (second / "sign").rglob("*") if p.is_file()) == ["model.sig"]


def test_other_bytes_in_the_store_are_refused_with_exit_3_and_nothing_restored(capsys, project, tmp_path):
    from mlsecops.config import load_config
    from mlsecops.stores.handoff import handoff_store

    first, second = tmp_path / "agent-1" / ".mlsecops", tmp_path / "agent-2" / ".mlsecops"
    train_folder(first)
    code, out, _ = handoff(capsys, project, first, "put", "train", "--build", BUILD)
    key = json.loads(out)["key"]
    with handoff_store(load_config(project), first) as store:
        store.write_bytes(key, b"a tampered archive")  # the server changed it behind our back
    carry_pointer(first, second)
    code, out, err = handoff(capsys, project, second, "get", "train")
    assert code == 3
    assert "other bytes" in err and "Traceback" not in err
    assert not (second / "train").exists()
    assert (second / ".handoff" / "train.json").is_file()  # kept: a retry can still try


def test_a_missing_or_malformed_pointer_is_bad_input_exit_2(capsys, project, tmp_path):
    workspace = tmp_path / "agent-2" / ".mlsecops"
    code, _, err = handoff(capsys, project, workspace, "get", "train")
    assert code == 2 and "no pointer" in err
    (workspace / ".handoff").mkdir(parents=True)
    (workspace / ".handoff" / "train.json").write_text('{"version": 1, "folder": "train", "key": "../../etc"}')
    code, _, err = handoff(capsys, project, workspace, "get", "train")
    assert code == 2 and "not a hand-off pointer" in err
    code, _, err = handoff(capsys, project, workspace, "get", "../outside")
    assert code == 2 and "not a workspace stage folder" in err


def test_the_workspaces_own_default_store_is_refused_it_does_not_travel(capsys, tmp_path):
    config = tmp_path / "mlsecops.yaml"
    config.write_text("project: {name: demo}\n")
    workspace = tmp_path / ".mlsecops"
    train_folder(workspace)
    code, _, err = handoff(capsys, config, workspace, "put", "train", "--build", BUILD)
    assert code == 2 and "shared store" in err
