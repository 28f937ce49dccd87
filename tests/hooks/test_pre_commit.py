"""The hooks of .pre-commit-hooks.yaml, run by real pre-commit on real `git commit`s.

The hook repository is the team's copy of tradeguard (``tradeguard_copy`` in conftest: a snapshot
of this checkout as the working tree holds it, tagged as the README says); pre-commit clones it
at the tag and builds its `language: python` environment once for the session, exactly as it
does for a user's `.pre-commit-config.yaml`.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.hooks.conftest import TAG, git, git_identity

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

PYPROJECT = """\
[tool.tradeguard]
gateway-paths = ["bot/execution/gateway.py"]
connector-paths = ["bot/connectors/**"]
"""
CLEAN = """\
def on_bar(gateway, close):
    return gateway.submit("oanda", symbol="EUR_USD", side="BUY", qty=1, price=close)
"""
VIOLATION = """\
def on_bar(broker, close):
    return broker.place_order("EUR_USD", "BUY", 1, price=close)
"""


class UserRepo:
    """A user's repository with pre-commit installed for one of our hooks."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self, *paths: str) -> subprocess.CompletedProcess:
        """`git commit` of ``paths``; ``stdout`` holds git's and the hooks' output together."""
        git("add", *paths, cwd=self.root)
        return subprocess.run(
            ["git", "commit", "-m", f"add {' '.join(paths)}"], cwd=self.root, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
        )

    def commits(self) -> int:
        return int(git("rev-list", "--count", "HEAD", cwd=self.root).stdout)


@pytest.fixture
def user_repo(tmp_path, tradeguard_copy, pre_commit_home):
    def make(hook_id: str, args: tuple[str, ...] = ()) -> UserRepo:
        repo = UserRepo(tmp_path / "project", pre_commit_home)
        repo.root.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=repo.root, check=True)
        git_identity(repo.root)
        path, rev = tradeguard_copy, TAG
        args_line = f"\n        args: [{', '.join(args)}]" if args else ""
        repo.write(".pre-commit-config.yaml", textwrap.dedent(f"""\
            repos:
              - repo: {path}
                rev: {rev}
                hooks:
                  - id: {hook_id}""") + args_line + "\n")
        repo.write("pyproject.toml", PYPROJECT)
        installed = subprocess.run([*PRE_COMMIT, "install"], cwd=repo.root, env=repo.env, capture_output=True, text=True)
        assert installed.returncode == 0, installed.stderr
        first = repo.commit(".pre-commit-config.yaml", "pyproject.toml")
        assert first.returncode == 0, first.stdout
        return repo

    return make


def test_check_hook_passes_a_clean_commit_and_blocks_a_violation(user_repo):
    repo = user_repo("tradeguard-check")
    repo.write("bot/strategies/clean.py", CLEAN)
    clean = repo.commit("bot/strategies/clean.py")
    assert clean.returncode == 0, clean.stdout
    assert "tradeguard check" in clean.stdout and "Passed" in clean.stdout

    repo.write("bot/strategies/momentum.py", VIOLATION)
    blocked = repo.commit("bot/strategies/momentum.py")
    assert blocked.returncode == 1
    assert "Failed" in blocked.stdout
    assert "bot/strategies/momentum.py:2:12: TG101" in blocked.stdout
    assert repo.commits() == 2


def test_check_hook_leaves_the_gateway_alone_and_honours_a_baseline(user_repo):
    repo = user_repo("tradeguard-check", args=("--baseline", "tradeguard-baseline.json"))
    repo.write("bot/execution/gateway.py", VIOLATION)  # the gateway may send orders
    repo.write("bot/strategies/legacy.py", VIOLATION)
    recorded = subprocess.run(
        [str(Path(sys.executable).with_name("tradeguard")), "check", "--write-baseline", "tradeguard-baseline.json"],
        cwd=repo.root, capture_output=True, text=True,
    )
    assert recorded.returncode == 0, recorded.stderr
    done = repo.commit("bot/execution/gateway.py", "bot/strategies/legacy.py", "tradeguard-baseline.json")
    assert done.returncode == 0, done.stdout

    shifted = "# a line above shifts the old violation\n" + VIOLATION
    repo.write("bot/strategies/legacy.py", shifted + VIOLATION.replace("on_bar", "on_tick"))
    blocked = repo.commit("bot/strategies/legacy.py")
    assert blocked.returncode == 1
    assert "bot/strategies/legacy.py:5:12: TG101" in blocked.stdout
    assert "legacy.py:3:12" not in blocked.stdout


def test_fix_hook_rewrites_the_file_and_fails_naming_it(user_repo):
    repo = user_repo("tradeguard-fix", args=("--unsafe-fixes",))
    repo.write("bot/strategies/clean.py", CLEAN)
    assert repo.commit("bot/strategies/clean.py").returncode == 0

    path = repo.write("bot/strategies/momentum.py", VIOLATION)
    fixed = repo.commit("bot/strategies/momentum.py")
    assert fixed.returncode == 1
    assert "tradeguard: fixed bot/strategies/momentum.py (1 finding)" in fixed.stdout
    assert path.read_text() != VIOLATION and "place_order" not in path.read_text().replace("route", "")
    assert repo.commits() == 2

    again = repo.commit("bot/strategies/momentum.py")  # the fixed file, staged
    assert again.returncode == 0, again.stdout


def test_secrets_hook_blocks_a_staged_key_without_printing_it(user_repo):
    repo = user_repo("tradeguard-secrets")
    repo.write("bot/settings.py", 'ACCOUNT = "001-001-1234567-001"\n')
    assert repo.commit("bot/settings.py").returncode == 0

    token = f"{secrets.token_hex(16)}-{secrets.token_hex(16)}"  # an OANDA v20 token's shape
    repo.write("bot/settings.py", f'ACCOUNT = "001-001-1234567-001"\nOANDA_TOKEN = "{token}"\n')
    blocked = repo.commit("bot/settings.py")
    assert blocked.returncode == 1
    assert "TG301" in blocked.stdout and "bot/settings.py" in blocked.stdout
    assert token not in blocked.stdout
    assert repo.commits() == 2


def test_artifacts_hook_blocks_a_staged_audit_log(user_repo):
    repo = user_repo("tradeguard-artifacts")
    repo.write("bot/strategy.py", "SIGNAL = 1\n")
    assert repo.commit("bot/strategy.py").returncode == 0

    audit_line = '{"ts": 1764547200.5, "kind": "order", "phase": "outcome", "venue": "oanda", "prev": null}\n'
    repo.write("bot/logs/audit.log", audit_line * 10)
    blocked = repo.commit("bot/logs/audit.log")
    assert blocked.returncode == 1, blocked.stdout
    assert "tradeguard artifacts" in blocked.stdout and "Failed" in blocked.stdout
    assert "bot/logs/audit.log: audit log" in blocked.stdout
    assert repo.commits() == 2
