"""`--history`: every blob ever committed, scanned once, named by the commit that added it."""

import json
import subprocess

import pytest

from hooks.secrets.history import scan_history
from tests.conftest import run_cli

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def git(repo, *args) -> str:
    import os

    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV})
    return done.stdout.strip()


def commit(repo, message) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path, gen):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README.md").write_text("# bot\n")
    commit(tmp_path, "start")
    (tmp_path / "config.env").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    added = commit(tmp_path, "add config")
    (tmp_path / "config.env").unlink()
    commit(tmp_path, "remove config")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (tmp_path / "bot.py").write_text(f'KRAKEN_API_SECRET = "{gen.b64(64)}"\n')
    (tmp_path / "copy.py").write_text((tmp_path / "bot.py").read_text())
    branch = commit(tmp_path, "kraken")
    git(tmp_path, "checkout", "-q", "main")
    return tmp_path, {"added": added, "branch": branch}


def test_a_deleted_key_and_a_key_on_another_branch_are_found_with_their_commits(history):
    repo, commits = history
    done = run_cli("secrets", "--history", "--format", "json", cwd=repo)
    assert done.returncode == 1, done.stderr
    rows = json.loads(done.stdout)
    assert [(row["path"], row["line"], row["type"]) for row in rows] == [
        ("bot.py", 1, "Kraken API Key"), ("config.env", 1, "OANDA v20 Token"),
    ]
    assert f"added in commit {commits['branch'][:12]}" in rows[0]["message"]
    assert f"added in commit {commits['added'][:12]}" in rows[1]["message"]


def test_each_blob_is_scanned_once_however_many_paths_hold_it(history, monkeypatch):
    repo, _ = history
    monkeypatch.chdir(repo)
    report = scan_history(".")
    assert sorted(report.scanned) == ["README.md", "bot.py", "config.env"]


def test_the_working_tree_scan_does_not_see_the_deleted_key(history):
    repo, _ = history
    done = run_cli("secrets", "--format", "json", ".", cwd=repo)
    assert (done.returncode, json.loads(done.stdout)) == (0, [])


def test_history_outside_a_repository_is_one_line_and_exit_2(tmp_path):
    done = run_cli("secrets", "--history", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "git rev-parse" in done.stderr and "Traceback" not in done.stderr
