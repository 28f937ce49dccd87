"""The artifacts check: the pre-commit hook on staged files (called as pre-commit calls it; the real
pre-commit run is in tests/hooks/test_pre_commit.py, which builds the hook environment once for all
hooks), and `tradeguard artifacts [--history]` on a real repository."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from hooks import artifacts_hook
from tests.hooks.conftest import git, git_identity
from tradeguard.cli import artifacts

AUDIT_LINE = json.dumps({"ts": 1764547200.5, "kind": "order", "phase": "outcome", "venue": "oanda",
                         "mode": "PAPER", "outcome": "filled", "prev": None}) + "\n"


def sqlite_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE trades (id INTEGER PRIMARY KEY, pair TEXT)")
        db.execute("INSERT INTO trades (pair) VALUES ('BTC/USDT')")
    db.close()
    return path


@pytest.fixture
def files(in_tmp) -> Path:
    (in_tmp / "logs").mkdir()
    (in_tmp / "logs" / "audit.log").write_text(AUDIT_LINE)
    (in_tmp / "notes.txt.bak").write_text(AUDIT_LINE * 3)  # renamed: caught by content
    with gzip.open(in_tmp / "session.bin", "wt") as packed:  # compressed audit lines, odd name
        packed.write(AUDIT_LINE * 50)
    sqlite_file(in_tmp / "user_data" / "tradesv3.sqlite")
    sqlite_file(in_tmp / "cache.bin")  # a database by its header alone
    (in_tmp / ".tradeguard").mkdir()
    (in_tmp / ".tradeguard" / "halt.json").write_text("{}")
    (in_tmp / "candles.csv").write_text("time,open,close\n" + "1,2,3\n" * 100_000)
    (in_tmp / "fixture.csv").write_text("time,open,close\n1,2,3\n")
    (in_tmp / "test_audit.py").write_text(f"LINE = {AUDIT_LINE!r}\n")  # code that holds an audit line
    (in_tmp / "README.md").write_text("# bot\n")
    return in_tmp


BLOCKED = {
    "logs/audit.log": "audit log",
    "notes.txt.bak": "audit log (JSON lines of audit events, by content)",
    "session.bin": "audit log (gzip, by content)",
    "user_data/tradesv3.sqlite": "trade database (freqtrade)",
    "cache.bin": "database (SQLite, by content)",
    ".tradeguard/halt.json": "tradeguard state folder",
    "candles.csv": "data dump over 500 KB",
}
ALLOWED = ["fixture.csv", "test_audit.py", "README.md"]


def test_the_hook_blocks_each_kind_of_artifact_and_passes_the_rest(files, capsys):
    assert artifacts_hook.main([*BLOCKED, *ALLOWED]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == len(BLOCKED)
    for path, what in BLOCKED.items():
        assert any(line.startswith(f"{path}: {what}") for line in lines), (path, out)
    assert f"{len(BLOCKED)} file(s) should not be committed" in err and "git rm --cached" in err
    assert artifacts_hook.main(ALLOWED) == 0


def test_the_size_limit_and_allow_list_are_options(files, capsys):
    assert artifacts_hook.main(["--max-kb", "2000", "candles.csv"]) == 0
    assert artifacts_hook.main(["--allow", "logs/*", "logs/audit.log", "README.md"]) == 0
    assert artifacts_hook.main(["--allow", "logs/*", "logs/audit.log", "cache.bin"]) == 1
    assert capsys.readouterr().out.startswith("cache.bin: database")


def test_an_unreadable_file_is_named_and_blocks(files, capsys):
    assert artifacts_hook.main(["missing.db"]) == 1
    assert "missing.db: cannot be read" in capsys.readouterr().err


def make_repo(root: Path) -> Path:
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    git_identity(root)
    (root / "bot.py").write_text("SIGNAL = 1\n")
    (root / ".tradeguard").mkdir()
    (root / ".tradeguard" / "audit.log").write_text(AUDIT_LINE * 20)
    sqlite_file(root / "data" / "telemetry.sqlite")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "oops: state and telemetry committed", cwd=root)
    git("rm", "-q", "-r", "--cached", ".tradeguard", cwd=root)  # untracked later, still in history
    (root / ".gitignore").write_text(".tradeguard/\n")
    (root / "backup.db.gz").write_bytes(gzip.compress(AUDIT_LINE.encode() * 5))
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "untrack state; add a backup", cwd=root)
    return root


def test_artifacts_lists_tracked_files_with_the_untrack_command(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    assert artifacts.main(["-C", str(repo)]) == 1
    out = capsys.readouterr().out
    assert "data/telemetry.sqlite: telemetry database" in out
    assert "backup.db.gz: audit log (gzip, by content)" in out
    assert ".tradeguard/audit.log" not in out  # no longer tracked
    assert "git rm --cached -- backup.db.gz data/telemetry.sqlite" in out


def test_artifacts_history_finds_deleted_blobs_and_prints_filter_repo(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    before = git("rev-parse", "HEAD", cwd=repo).stdout
    assert artifacts.main(["-C", str(repo), "--history"]) == 1
    out = capsys.readouterr().out
    assert ".tradeguard/audit.log: tradeguard state folder" in out
    assert "data/telemetry.sqlite: telemetry database" in out
    assert ("git filter-repo --invert-paths --path .tradeguard/audit.log --path backup.db.gz "
            "--path data/telemetry.sqlite") in out
    assert "bot.py" not in out
    assert git("rev-parse", "HEAD", cwd=repo).stdout == before  # printed, never run


def test_a_clean_repository_and_a_folder_that_is_not_one(tmp_path, capsys):
    repo = tmp_path / "clean"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    git_identity(repo)
    (repo / "bot.py").write_text("SIGNAL = 1\n")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "clean", cwd=repo)
    assert artifacts.main(["-C", str(repo), "--history"]) == 0
    assert "No artifacts found in the history." in capsys.readouterr().out
    assert artifacts.main(["-C", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("tradeguard artifacts: ")


def test_the_command_runs_as_the_real_console_script(tmp_path):
    from tests.conftest import run_cli

    repo = make_repo(tmp_path / "repo")
    done = run_cli("artifacts", "--history", cwd=repo)
    assert done.returncode == 1, done.stderr
    assert "git filter-repo --invert-paths" in done.stdout and "(printed, not run)" in done.stdout
    listed = run_cli("--help")
    assert "artifacts" in listed.stdout and "report" in listed.stdout
