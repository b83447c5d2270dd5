"""`mlsecops lock` and `load` against real servers: S3 (moto) and FTP (pyftpdlib), credentials from the environment."""

from __future__ import annotations

import logging
import os

import boto3
import pytest
from servers.ftp_server import ftp_server
from servers.moto_server import aws_env, moto_server
from stores_support import result_json, run_cli, write_config

pytestmark = pytest.mark.timeout(120)
logging.getLogger("pyftpdlib").setLevel(logging.WARNING)


def test_lock_then_load_from_s3_and_a_replaced_object_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with moto_server() as endpoint:
        aws_env(monkeypatch, endpoint)
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="ml-inputs")
        s3.put_object(Bucket="ml-inputs", Key="datasets/sms/train.csv", Body=b"text,label\nhi,0\n")
        write_config(tmp_path, {"load": {
            "allowlist": ["s3://ml-inputs/datasets"],
            "sources": [{"name": "dataset", "url": "s3://ml-inputs/datasets/sms/train.csv", "kind": "dataset"}],
            "connections": {"s3": {"endpoint_url": endpoint, "retries": 1, "backoff_seconds": 0.01}},
        }})
        assert run_cli(capsys, "lock")[0] == 0
        code, _, err = run_cli(capsys, "load")
        assert code == 0, err
        assert (tmp_path / ".mlsecops/load/dataset/train.csv").read_bytes() == b"text,label\nhi,0\n"
        assert result_json(tmp_path / ".mlsecops", "load")["details"]["sources"][0]["url"].startswith("s3://ml-inputs/")

        s3.put_object(Bucket="ml-inputs", Key="datasets/sms/train.csv", Body=b"text,label\npoison,1\n")
        code, _, err = run_cli(capsys, "load")
    assert code == 2 and "sha256 mismatch" in err and "dataset" in err
    assert not (tmp_path / ".mlsecops/load/dataset/train.csv").exists()


def test_load_over_ftps_with_credentials_from_a_secret_reference(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with ftp_server(tls=True) as server:
        (server.root / "models").mkdir()
        (server.root / "models/base.bin").write_bytes(os.urandom(4096))
        monkeypatch.setenv("FTP_PASSWORD", server.password)
        write_config(tmp_path, {"load": {
            "allowlist": [f"{server.url}/models/"],
            "sources": [{"name": "base", "url": f"{server.url}/models/base.bin", "kind": "model"}],
            "connections": {"ftp": {"username": server.username, "password": "${secret:env://FTP_PASSWORD}",
                                    "ca_bundle": str(server.ca_file)}},
        }})
        assert run_cli(capsys, "lock")[0] == 0
        code, out, err = run_cli(capsys, "load")
        assert code == 0, err
        assert (tmp_path / ".mlsecops/load/base/base.bin").read_bytes() == (server.root / "models/base.bin").read_bytes()
        assert server.password not in out + err


def test_an_unreachable_store_is_exit_3_naming_the_url_without_credentials(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEXUS_PASSWORD", "nexus-pass-" + os.urandom(4).hex())
    write_config(tmp_path, {"load": {
        "allowlist": ["nexus+http://127.0.0.1:9/repository/raw"],
        "require_lock": False,
        "sources": [{"name": "d", "url": "nexus+http://127.0.0.1:9/repository/raw/d.csv"}],
        "connections": {"nexus": {"username": "ci", "password": "${secret:env://NEXUS_PASSWORD}",
                                  "retries": 2, "backoff_seconds": 0.01, "timeout": 2}},
    }})
    code, _, err = run_cli(capsys, "load")
    assert code == 3 and "127.0.0.1:9/repository/raw/d.csv" in err and "after 3 attempts" in err
    assert os.environ["NEXUS_PASSWORD"] not in err


def test_wrong_credentials_end_the_load_with_exit_3_and_one_line(tmp_path, monkeypatch, capsys):
    from servers.nginx_nexus import nginx_nexus

    monkeypatch.chdir(tmp_path)
    with nginx_nexus() as nexus:
        (nexus.data / "d.csv").write_text("a,b\n")
        monkeypatch.setenv("NEXUS_PASSWORD", "wrong-" + os.urandom(4).hex())
        write_config(tmp_path, {"load": {
            "allowlist": [nexus.url], "require_lock": False,
            "sources": [{"name": "d", "url": f"{nexus.url}/d.csv"}],
            "connections": {"nexus": {"username": nexus.username, "password": "${secret:env://NEXUS_PASSWORD}"}},
        }})
        code, _, err = run_cli(capsys, "load")
    assert code == 3 and "credentials rejected" in err and len(err.strip().splitlines()) == 1
    assert os.environ["NEXUS_PASSWORD"] not in err and nexus.password not in err
