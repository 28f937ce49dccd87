"""TG301 joined into `tradeguard check` for Python files: configuration, suppressions, cache."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard]\n")
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "settings.py").write_text('ACCOUNT = "001-001-1234567-001"\n')
    return tmp_path


def oanda_token() -> str:
    return f"{secrets.token_hex(16)}-{secrets.token_hex(16)}"


def codes(project: Path, *args: str) -> list[tuple[str, str, int]]:
    done = run_cli("check", *args, "--format", "json", cwd=project)
    assert done.returncode in (0, 1), done.stderr
    return [(f["code"], f["path"], f["line"]) for f in json.loads(done.stdout)]


def test_a_key_added_after_a_warm_run_is_found_and_never_cached(project):
    assert codes(project) == []
    token = oanda_token()
    (project / "bot" / "settings.py").write_text(f'ACCOUNT = "001-001-1234567-001"\nOANDA_TOKEN = "{token}"\n')
    assert codes(project) == [("TG301", "bot/settings.py", 2)]
    assert codes(project) == [("TG301", "bot/settings.py", 2)]  # from the cache
    cached = [path.read_bytes() for path in (project / ".tradeguard_cache").iterdir() if path.is_file()]
    assert cached and not any(token.encode() in data for data in cached)
    (project / "bot" / "settings.py").write_text('import os\nOANDA_TOKEN = os.environ["OANDA_TOKEN"]\n')
    assert codes(project) == []


def test_select_ignore_and_noqa_apply_to_tg301(project):
    (project / "bot" / "settings.py").write_text(
        f'OANDA_TOKEN = "{oanda_token()}"\nPRACTICE = "{oanda_token()}"  # noqa: TG301 -- revoked practice token\n'
    )
    assert codes(project) == [("TG301", "bot/settings.py", 1)]
    assert codes(project, "--select", "TG1") == []
    assert codes(project, "--ignore", "TG301") == []
    assert codes(project, "--no-cache") == [("TG301", "bot/settings.py", 1)]


def test_a_scanner_that_fails_is_tg000_for_the_file_and_the_lint_goes_on(project, tmp_path):
    """A broken detect-secrets installation (here a package shadowing it, met when the scanner
    judges a `pragma: allowlist` comment): TG000 for the file, no traceback, the lint findings
    still reported, and nothing cached (the next good run finds the key)."""
    shadow = tmp_path / "shadow" / "detect_secrets"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('detect-secrets is broken here')\n")
    token = oanda_token()
    (project / "bot" / "settings.py").write_text(
        f'ACCOUNT = "001-001-1234567-001"  # pragma: allowlist secret\nOANDA_TOKEN = "{token}"\n\ndef buy(broker):\n    return broker.place_order("EUR_USD", "BUY", 1)\n'
    )
    broken = run_cli("check", "--format", "json", cwd=project, env={"PYTHONPATH": str(shadow.parent)})
    assert broken.returncode == 1 and "Traceback" not in broken.stderr, broken.stderr
    findings = json.loads(broken.stdout)
    assert [(f["code"], f["line"]) for f in findings] == [("TG000", 1), ("TG101", 5)]
    assert "secret scan failed: internal error (ImportError)" in findings[0]["message"]
    assert "broken here" not in findings[0]["message"]  # exception text could quote a secret
    assert codes(project) == [("TG301", "bot/settings.py", 2), ("TG101", "bot/settings.py", 5)]
