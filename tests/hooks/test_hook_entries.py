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


def oanda_token() -> str:
    return f"{secrets.token_hex(16)}-{secrets.token_hex(16)}"  # an OANDA v20 token's shape, made up now


def test_fix_hook_reads_the_configured_baseline(project, capsys):
    """A file with baselined findings does not fail the fix hook; a new finding does."""
    Path("pyproject.toml").write_text('[tool.tradeguard]\nbaseline = "tg-baseline.json"\n')
    Path("a.py").write_text(VIOLATION)
    recorded = subprocess.run([str(Path(sys.executable).with_name("tradeguard")), "check", "--write-baseline"],
                              capture_output=True, text=True)
    assert recorded.returncode == 0 and Path("tg-baseline.json").is_file(), recorded.stderr
    assert fix_hook.main(["a.py"]) == 0
    Path("a.py").write_text(VIOLATION + VIOLATION.replace("on_bar", "on_tick"))
    assert fix_hook.main(["a.py"]) == 1
    assert "a.py:4:12: TG101" in capsys.readouterr().out


def test_a_key_in_a_python_file_is_the_secrets_hooks_to_report(project, capsys):
    """The fix hook (like the check hook's entry) leaves TG301 to the secrets hook: one report."""
    Path("settings.py").write_text(f'OANDA_TOKEN = "{oanda_token()}"\n' + VIOLATION)
    assert fix_hook.main(["settings.py"]) == 1
    fixed = capsys.readouterr().out
    assert "TG101" in fixed and "TG301" not in fixed
    assert secrets_hook.main(["settings.py"]) == 1
    assert capsys.readouterr().out.count("TG301") == 1


def test_secrets_hook_accepts_keys_in_python_files_that_the_lint_baseline_records(project, capsys):
    """`tradeguard check --write-baseline` records keys in Python files; the secrets hook agrees."""
    Path("pyproject.toml").write_text('[tool.tradeguard]\nbaseline = "tg-baseline.json"\n')
    Path("settings.py").write_text(f'OANDA_TOKEN = "{oanda_token()}"\n')
    Path("deploy.env").write_text(f"OANDA_TOKEN={oanda_token()}\n")  # not Python: not the lint baseline's
    tradeguard = str(Path(sys.executable).with_name("tradeguard"))
    assert subprocess.run([tradeguard, "check", "--write-baseline"], capture_output=True).returncode == 0
    assert secrets_hook.main(["settings.py"]) == 0
    assert secrets_hook.main(["settings.py", "deploy.env"]) == 1
    out = capsys.readouterr().out
    assert "deploy.env:1" in out and "settings.py" not in out
    with Path("settings.py").open("a") as file:  # a new key beside the recorded one is new
        file.write(f'OANDA_TOKEN_2 = "{oanda_token()}"\n')
    assert secrets_hook.main(["settings.py"]) == 1
    assert "settings.py:2:" in capsys.readouterr().out


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
