"""Broker credentials at run time, from the environment, an owner-only file, AWS Secrets Manager or Vault.

    from tradeguard.credentials import resolve, EnvProvider, FileProvider
    token = resolve("oanda_token")            # TRADEGUARD_SECRET_OANDA_TOKEN, then $TRADEGUARD_SECRETS_DIR/oanda_token
    client = make_client(token.reveal())

A :class:`Secret` shows only its name and source (``repr``, ``str``, f-strings, logs); the value
comes out only through ``reveal()``, and every resolved value is remembered (in memory) so that the
audit log cuts it out wherever it appears. Errors name the credential and the place looked in, never
the value. boto3 and hvac are imported only when their provider is used (extras ``aws`` and
``vault``). In LIVE, a credential file inside a git work tree is refused: a file there is one
``git add`` away from being committed.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any, Optional, Protocol

from tradeguard.gateway import LIVE, requested_mode
from tradeguard.redact import register_secret

ENV_PREFIX = "TRADEGUARD_SECRET_"
SECRETS_DIR_ENV = "TRADEGUARD_SECRETS_DIR"


class CredentialError(Exception):
    """A credential could not be resolved; the message never holds a credential value."""


class Secret:
    __slots__ = ("name", "source", "_value")

    def __init__(self, name: str, source: str, value: str) -> None:
        self.name = name
        self.source = source
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(name={self.name!r}, source={self.source!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled: resolve it again where it is needed")


class Provider(Protocol):
    source: str

    def fetch(self, name: str) -> Optional[str]: ...

    def describe(self, name: str) -> str: ...


class EnvProvider:
    """``TRADEGUARD_SECRET_<NAME>`` (name upper-cased, other characters as ``_``)."""

    source = "env"

    def __init__(self, prefix: str = ENV_PREFIX, environ: Optional[dict] = None) -> None:
        self.prefix = prefix
        self.environ = os.environ if environ is None else environ

    def variable(self, name: str) -> str:
        return self.prefix + re.sub(r"[^A-Za-z0-9]", "_", name).upper()

    def fetch(self, name: str) -> Optional[str]:
        return self.environ.get(self.variable(name)) or None

    def describe(self, name: str) -> str:
        return f"environment variable {self.variable(name)}"


class FileProvider:
    """``<directory>/<name>``, a file only its owner can read; refused inside a git work tree in LIVE."""

    source = "file"

    def __init__(self, directory: os.PathLike | str, mode: Optional[str] = None) -> None:
        self.directory = Path(directory).expanduser()
        self.mode = mode

    def fetch(self, name: str) -> Optional[str]:
        if not name or name in (".", "..") or "/" in name or "\\" in name:
            raise CredentialError(f"credential name {name!r} cannot name a file")
        path = self.directory / name
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CredentialError(
                f"credential file {path} is open to group or others (mode {stat.filemode(info.st_mode)}); "
                f"run: chmod 600 {path}"
            )
        if info.st_uid != os.geteuid():
            raise CredentialError(f"credential file {path} belongs to another user (uid {info.st_uid})")
        if requested_mode(self.mode) == LIVE and inside_work_tree(path):
            raise CredentialError(
                f"LIVE refuses credential file {path}: it is inside a git work tree; keep it outside the repository"
            )
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n") or None
        except (OSError, UnicodeDecodeError) as exc:
            raise CredentialError(f"credential file {path} cannot be read ({type(exc).__name__})") from None

    def describe(self, name: str) -> str:
        return f"file {self.directory / name}"


class AwsSecretsManagerProvider:
    """A secret ``<prefix><name>`` in AWS Secrets Manager; a JSON secret gives its ``field``."""

    source = "aws"

    def __init__(
        self,
        region: Optional[str] = None,
        prefix: str = "",
        field: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        client: Any = None,
    ) -> None:
        self.region, self.prefix, self.field = region, prefix, field
        self.endpoint_url = endpoint_url
        self._client = client

    def fetch(self, name: str) -> Optional[str]:
        secret_id = self.prefix + name
        client = self._client or self._make_client()
        try:
            reply = client.get_secret_value(SecretId=secret_id)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            if code == "ResourceNotFoundException":
                return None
            raise CredentialError(f"AWS Secrets Manager: cannot read {secret_id!r} ({code})") from None
        text = reply.get("SecretString")
        if text is None and reply.get("SecretBinary") is not None:
            text = bytes(reply["SecretBinary"]).decode("utf-8", "replace")
        return pick_field(text, self.field, f"AWS secret {secret_id!r}")

    def describe(self, name: str) -> str:
        return f"AWS Secrets Manager secret {self.prefix + name!r}"

    def _make_client(self) -> Any:
        try:
            import boto3
        except ImportError:
            raise CredentialError("AWS Secrets Manager needs boto3: pip install 'tradeguard[aws]'") from None
        self._client = boto3.client("secretsmanager", region_name=self.region, endpoint_url=self.endpoint_url)
        return self._client


class VaultProvider:
    """A KV version 2 secret ``<prefix><name>`` in HashiCorp Vault (or OpenBao), via hvac.

    ``url`` and ``token`` default to ``VAULT_ADDR`` and ``VAULT_TOKEN``.
    """

    source = "vault"

    def __init__(
        self,
        url: Optional[str] = None,
        token: Optional[str] = None,
        mount: str = "secret",
        prefix: str = "",
        field: Optional[str] = None,
        client: Any = None,
    ) -> None:
        self.url = url or os.environ.get("VAULT_ADDR")
        self._token = token or os.environ.get("VAULT_TOKEN")
        self.mount, self.prefix, self.field = mount, prefix, field
        self._client = client

    def __repr__(self) -> str:
        return f"VaultProvider(url={self.url!r}, mount={self.mount!r}, prefix={self.prefix!r})"

    def fetch(self, name: str) -> Optional[str]:
        path = self.prefix + name
        client = self._client or self._make_client()
        try:
            reply = client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=self.mount, raise_on_deleted_version=True
            )
        except Exception as exc:
            if type(exc).__name__ == "InvalidPath":  # hvac's 404
                return None
            raise CredentialError(f"Vault: cannot read {self.mount}/{path} ({type(exc).__name__})") from None
        payload = (reply or {}).get("data", {}).get("data")
        return pick_field(payload, self.field, f"Vault secret {self.mount}/{path}")

    def describe(self, name: str) -> str:
        return f"Vault secret {self.mount}/{self.prefix + name}"

    def _make_client(self) -> Any:
        try:
            import hvac
        except ImportError:
            raise CredentialError("Vault needs hvac: pip install 'tradeguard[vault]'") from None
        if not self.url:
            raise CredentialError("Vault: no address (pass url= or set VAULT_ADDR)")
        self._client = hvac.Client(url=self.url, token=self._token)
        return self._client


def pick_field(payload: object, field: Optional[str], where: str) -> Optional[str]:
    """The credential inside a secret: the whole text, or one field of a JSON object."""
    if isinstance(payload, str):
        try:
            document = json.loads(payload) if field is not None or payload.lstrip().startswith("{") else payload
        except ValueError:
            document = payload
        payload = document
    if isinstance(payload, str):
        if field is not None:
            raise CredentialError(f"{where} is not a JSON object, so it has no field {field!r}")
        return payload or None
    if not isinstance(payload, dict):
        return None
    if field is None:
        if len(payload) == 1:
            field = next(iter(payload))
        elif "value" in payload:
            field = "value"
        else:
            raise CredentialError(f"{where} has fields {sorted(payload)}; say which with field=")
    value = payload.get(field)
    if value is not None and not isinstance(value, str):
        raise CredentialError(f"{where}: field {field!r} is not a string")
    return value or None


def default_providers(mode: Optional[str] = None) -> list:
    """The environment, then ``$TRADEGUARD_SECRETS_DIR`` when set. Cloud stores are configured in code."""
    providers: list = [EnvProvider()]
    directory = os.environ.get(SECRETS_DIR_ENV)
    if directory:
        providers.append(FileProvider(directory, mode=mode))
    return providers


def resolve(name: str, providers: Optional[list] = None, mode: Optional[str] = None) -> Secret:
    """The first value found for ``name`` among ``providers`` (default: :func:`default_providers`)."""
    chosen = default_providers(mode) if providers is None else providers
    for provider in chosen:
        value = provider.fetch(name)
        if value:
            return Secret(name, provider.source, value)
    places = "; ".join(provider.describe(name) for provider in chosen) or "no providers"
    raise CredentialError(f"credential {name!r} not found (looked in: {places})")


def inside_work_tree(path: os.PathLike | str) -> bool:
    """Whether ``path`` lies inside a git work tree (a parent folder holds ``.git``)."""
    folder = Path(path).resolve().parent
    return any((candidate / ".git").exists() for candidate in (folder, *folder.parents))
