"""`tradeguard archive --to s3://bucket/prefix` against moto's real S3 server, through the real CLI."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import socket
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tradeguard import Limits, OrderGateway
from tradeguard.audit import AuditLog, rotated_files, verify

from .helpers import RecordingConnector, run_cli

BUCKET, PREFIX = "audit-archive", "desk/gateway"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3(monkeypatch):
    """A real S3 endpoint (moto's server on a free local port); the CLI finds it via AWS_ENDPOINT_URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "FAKE" + secrets.token_hex(8).upper())  # synthetic, made per run
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-" + secrets.token_hex(16))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    for unwanted in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(unwanted, raising=False)
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    yield client
    server.stop()


def write_rotated_log(home: Path, orders: int) -> AuditLog:
    """A gateway's audit log small enough to rotate every few orders, keeping every rotated file."""
    log = AuditLog(home / "audit.log", max_bytes=2 * 1024, keep_files=10_000)
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits(), audit=log)
    for index in range(orders):
        gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.1, client_id=f"s3-{index}")
    return log


def stored_keys(client) -> list[str]:
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX + "/")
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_archive_to_s3_uploads_each_rotated_file_once_and_retention_then_deletes_only_those(s3, home):
    log = write_rotated_log(home, orders=12)
    rotated = rotated_files(log.path)
    assert len(rotated) >= 3  # rotation happened
    originals = {file.name: file.read_bytes() for file in rotated}

    first = run_cli("archive", "--to", f"s3://{BUCKET}/{PREFIX}")
    assert first.returncode == 0, first.stderr
    assert f"{len(originals)} file(s) archived" in first.stdout
    assert stored_keys(s3) == sorted(f"{PREFIX}/{name}.gz" for name in originals)

    manifest = [json.loads(line) for line in (home / "archive" / "manifest.jsonl").read_text().splitlines()]
    manifest.sort(key=lambda entry: entry["name"])
    assert sorted(entry["name"] for entry in manifest) == sorted(originals)
    for entry in manifest:
        key = f"{PREFIX}/{entry['gz']}"
        assert entry["location"] == f"s3://{BUCKET}/{key}"
        stored = s3.get_object(Bucket=BUCKET, Key=key)
        packed = stored["Body"].read()
        assert hashlib.sha256(packed).hexdigest() == entry["gz_sha256"]
        assert stored["Metadata"]["sha256"] == entry["gz_sha256"]
        lines = gzip.decompress(packed)
        assert lines == originals[entry["name"]]
        assert hashlib.sha256(lines).hexdigest() == entry["sha256"]
        assert entry["lines"] == lines.count(b"\n")
    assert not list((home / "archive").glob("*.gz*"))  # nothing staged is left behind

    # More orders rotate files the archive does not hold yet; retention keeps one rotated file
    # and may delete only what the manifest holds.
    log.keep_files = 1
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits(), audit=log)
    for index in range(8):
        gateway.submit("fx", symbol="EUR_USD", side="sell", quantity=1, price=1.1, client_id=f"more-{index}")
    left = {file.name for file in rotated_files(log.path)}
    assert not left & set(originals)  # every archived file was pruned
    assert left  # the newer, unarchived ones stay, however many past keep_files
    # The chain continues from the manifest's record of the last archived line, off this machine.
    assert verify(log.path).intact
    checked = run_cli("live", "audit", "--verify")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    manifest_file = home / "archive" / "manifest.jsonl"
    kept = manifest_file.read_text()
    manifest_file.write_text(kept.replace(manifest[-1]["last_hash"], "0" * 64))
    assert "chain is broken" in verify(log.path).problem
    manifest_file.write_text(kept)

    second = run_cli("archive", "--to", f"s3://{BUCKET}/{PREFIX}")
    assert second.returncode == 0, second.stderr
    assert f"{len(left)} file(s) archived" in second.stdout
    assert stored_keys(s3) == sorted(f"{PREFIX}/{name}.gz" for name in {*originals, *left})
    manifest_names = [json.loads(line)["name"] for line in (home / "archive" / "manifest.jsonl").read_text().splitlines()]
    assert sorted(manifest_names) == sorted({*originals, *left})  # each file once

    third = run_cli("archive", "--to", f"s3://{BUCKET}/{PREFIX}")
    assert third.returncode == 0, third.stderr
    assert "nothing to archive" in third.stdout
    assert len((home / "archive" / "manifest.jsonl").read_text().splitlines()) == len(manifest_names)
    credentials = (os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    for run in (first, second, third):
        assert not any(value in run.stdout + run.stderr for value in credentials)
