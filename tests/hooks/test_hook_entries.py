"""The pre-commit hook entry modules called as pre-commit calls them: `main(argv)` with file names."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from hooks import fix_hook, secrets_hook

VIOLATION = "def on_bar(broker):\n    return broker.place_order('EUR_USD', 'BUY', 1)\n"
CLEAN = "def on_bar(gateway):\n    return gateway.submit('oanda', symbol='EUR_USD', side='BUY', qty=1)\n"


@pytest.fixture
def project(in_tmp) -> Path:
    (in_tmp / "pyproject.toml").write_text("[tool.tradeguard]\n")
    return in_tmp


def test_fix_hook_fails_when_it_changed_a_file(project, capsys):
    Path("a.py").write_text(VIOLATION)
    Path("b.py").write_text(CLEAN)
    assert fix_hook.main(["--unsafe-fixes", "a.py", "b.py"]) == 1
    assert "tradeguard.route(broker" in Path("a.py").read_text()
    assert Path("b.py").read_text() == CLEAN
    assert "tradeguard: fixed a.py (1 finding)" in capsys.readouterr().err
    assert fix_hook.main(["--unsafe-fixes", "a.py", "b.py"]) == 0  # nothing left to fix


def test_fix_hook_passes_what_it_cannot_fix_through_as_findings(project, capsys):
    Path("a.py").write_text(VIOLATION)
    assert fix_hook.main(["a.py"]) == 1  # the TG101 fix is unsafe: not applied, still reported
    assert Path("a.py").read_text() == VIOLATION
    assert "a.py:2:12: TG101" in capsys.readouterr().out


def test_fix_hook_on_clean_files_passes(project):
    Path("b.py").write_text(CLEAN)
    assert fix_hook.main(["b.py"]) == 0


@pytest.fixture
def staged_key(project) -> Path:
    token = f"{secrets.token_hex(16)}-{secrets.token_hex(16)}"
    path = Path("settings.py")
    path.write_text(f'OANDA_TOKEN = "{token}"\n')
    return path


def test_secrets_hook_blocks_a_key(staged_key, capsys):
    assert secrets_hook.main([str(staged_key)]) == 1
    assert "settings.py:1:16: TG301" in capsys.readouterr().out


def test_secrets_hook_uses_the_repository_baseline_when_present(staged_key):
    recorded = subprocess.run(
        [str(Path(sys.executable).with_name("tradeguard")), "secrets", "--baseline", ".secrets.baseline",
         "--update-baseline", str(staged_key)],
        capture_output=True, text=True,
    )
    assert recorded.returncode == 0, recorded.stderr
    assert secrets_hook.main([str(staged_key)]) == 0


def test_secrets_hook_passes_a_named_baseline_through_even_if_missing(staged_key, capsys):
    assert secrets_hook.main(["--baseline", "missing.baseline", str(staged_key)]) == 2
    assert "missing.baseline" in capsys.readouterr().err


def test_console_scripts_work_from_a_folder_with_its_own_hooks_package(project):
    """The pre-commit entries are console scripts going through the bootstrap shim."""
    Path("hooks").mkdir()
    Path("hooks/__init__.py").write_text("raise ImportError('the project own hooks package')\n")
    Path("a.py").write_text(VIOLATION)
    Path("settings.py").write_text(f'OANDA_TOKEN = "{secrets.token_hex(16)}-{secrets.token_hex(16)}"\n')
    bin_dir = Path(sys.executable).parent
    fixed = subprocess.run([str(bin_dir / "tradeguard-fix-hook"), "--unsafe-fixes", "a.py"], capture_output=True, text=True)
    assert (fixed.returncode, fixed.stderr.splitlines()[0]) == (1, "tradeguard: fixed a.py (1 finding)")
    scanned = subprocess.run([str(bin_dir / "tradeguard-secrets-hook"), "settings.py"], capture_output=True, text=True)
    assert scanned.returncode == 1 and "settings.py:1:16: TG301" in scanned.stdout, scanned.stderr
