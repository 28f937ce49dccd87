"""Shared set-up of the runtime tests: each test gets its own working folder and state folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import tradeguard.gateway


@pytest.fixture(autouse=True)
def isolated(tmp_path, tmp_path_factory, monkeypatch):
    """Work in tmp_path with TRADEGUARD_HOME inside it, PAPER unless a test asks otherwise; the
    arming key in a config folder of its own (outside the project and the state folder)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRADEGUARD_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("TRADEGUARD_ARMING_KEY", raising=False)
    monkeypatch.delenv("TRADEGUARD_MODE", raising=False)
    monkeypatch.delenv("TRADEGUARD_SECRETS_DIR", raising=False)
    tradeguard.gateway.set_default_gateway(None)
    yield
    tradeguard.gateway.set_default_gateway(None)


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "state"
