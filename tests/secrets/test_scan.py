"""Scanning files on disk: what is walked, what is skipped with a note, parallel runs."""

import os

import pytest

from hooks.secrets import scan_paths
from hooks.secrets.results import ExcludePatterns
from hooks.secrets.scan import PARALLEL_MIN_FILES


@pytest.fixture
def tree(in_tmp, gen):
    (in_tmp / "bot").mkdir()
    (in_tmp / "bot" / "config.py").write_text(f'TOKEN = "{gen.oanda()}"\n')
    for skipped in (".git", ".venv", "node_modules", "__pycache__", "pkg.egg-info"):
        (in_tmp / skipped).mkdir()
        (in_tmp / skipped / "leak.env").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    (in_tmp / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(100))
    return in_tmp


def paths(report):
    return [(d.finding.path, d.finding.line) for d in report.detections]


def test_folders_are_walked_skipping_tool_and_dependency_folders(tree):
    report = scan_paths(["."])
    assert paths(report) == [("bot/config.py", 1)]
    assert report.scanned == ["bot/config.py"]
    assert report.notes == []


def test_files_named_explicitly_are_scanned_even_in_skipped_folders(tree):
    assert paths(scan_paths(["node_modules/leak.env"])) == [("node_modules/leak.env", 1)]


def test_binary_huge_and_non_utf8_files_get_one_note_each_and_the_rest_is_scanned(in_tmp, gen):
    (in_tmp / "data.bin.txt").write_bytes(b"abc\x00def" * 10)
    (in_tmp / "big.log").write_text("x" * 2000)
    (in_tmp / "legacy.ini").write_bytes(f"[ib]\npassword=Pr\xe9f{gen.password()}\n".encode("latin-1"))
    (in_tmp / "ok.env").write_text(f"TWS_PASSWORD={gen.password()}\n")
    report = scan_paths(["."], max_bytes=1000)
    notes = {note.path: note.reason for note in report.notes}
    assert notes["data.bin.txt"] == "skipped: binary file"
    assert notes["big.log"].startswith("skipped: 2,000 bytes is over the 1,000-byte limit")
    assert notes["legacy.ini"].startswith("not UTF-8")
    assert not report.has_errors
    assert paths(report) == [("legacy.ini", 2), ("ok.env", 1)]


def test_a_file_that_cannot_be_read_is_an_error_note(in_tmp, gen):
    (in_tmp / "dangling.env").symlink_to(in_tmp / "gone")
    (in_tmp / "ok.env").write_text(f"TWS_PASSWORD={gen.password()}\n")
    report = scan_paths(["dangling.env", "ok.env", "missing.env"])
    assert [(note.path, note.reason, note.is_error) for note in report.notes] == [
        ("dangling.env", "cannot read: No such file or directory", True),
        ("missing.env", "no such file or directory", True),
    ]
    assert paths(report) == [("ok.env", 1)]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_an_error_note(in_tmp):
    locked = in_tmp / "locked.env"
    locked.write_text("x=1\n")
    locked.chmod(0)
    [note] = scan_paths(["."]).notes
    assert (note.path, note.reason, note.is_error) == ("locked.env", "cannot read: Permission denied", True)


def test_excluded_paths_and_the_baseline_in_use_are_not_scanned(tree, gen):
    (tree / "fixtures").mkdir()
    (tree / "fixtures" / "keys.env").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    (tree / "other.baseline").write_text('{"token": "%s"}\n' % gen.oanda())
    report = scan_paths(["."], excludes=ExcludePatterns(files=(r"^fixtures/",)), skip=["other.baseline"])
    assert paths(report) == [("bot/config.py", 1)]


def test_many_files_are_scanned_in_parallel_with_the_same_result(in_tmp, gen):
    for index in range(PARALLEL_MIN_FILES + 50):
        body = f"OANDA_TOKEN={gen.oanda()}\n" if index % 7 == 0 else f"value_{index} = {index}\n"
        (in_tmp / f"f{index:04}.env").write_text(body)
    serial = scan_paths(["."], jobs=1)
    parallel = scan_paths(["."], jobs=2)
    assert paths(parallel) == paths(serial) and len(paths(serial)) == 36
    assert [d.secret_hash for d in parallel.detections] == [d.secret_hash for d in serial.detections]


def test_a_stray_nul_byte_or_a_utf16_or_utf32_file_hides_no_key(in_tmp, gen):
    tokens = [gen.oanda() for _ in range(4)]
    (in_tmp / "nul.env").write_bytes(f"LOG=1\x00\nOANDA_TOKEN={tokens[0]}\n".encode())
    (in_tmp / "bom16.env").write_bytes(f"\ufeffOANDA_TOKEN={tokens[1]}\n".encode("utf-16"))
    (in_tmp / "plain16.env").write_bytes(f"OANDA_TOKEN={tokens[2]}\n".encode("utf-16-le"))
    (in_tmp / "bom32.env").write_bytes(f"\ufeffOANDA_TOKEN={tokens[3]}\n".encode("utf-32"))
    report = scan_paths(["."])
    assert report.notes == []
    assert paths(report) == [("bom16.env", 1), ("bom32.env", 1), ("nul.env", 2), ("plain16.env", 1)]


def _git(*args, cwd):
    import subprocess

    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_files_git_ignores_are_not_walked_unless_asked(in_tmp, gen):
    _git("init", "-q", cwd=in_tmp)
    (in_tmp / ".gitignore").write_text("local.env\nscratch/\n")
    for name in ("local.env", "scratch/notes.env", "deploy.env"):
        (in_tmp / name).parent.mkdir(exist_ok=True)
        (in_tmp / name).write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    assert paths(scan_paths(["."])) == [("deploy.env", 1)]
    assert paths(scan_paths(["."], respect_gitignore=False)) == [
        ("deploy.env", 1), ("local.env", 1), ("scratch/notes.env", 1)]
    assert paths(scan_paths(["local.env"])) == [("local.env", 1)]  # named explicitly: scanned, as ruff does


def test_a_fifo_or_a_link_to_a_device_is_skipped_with_a_note_and_never_blocks(in_tmp, gen):
    import subprocess
    import sys

    os.mkfifo(in_tmp / "pipe.env")
    os.symlink("/dev/zero", in_tmp / "zero.env")
    (in_tmp / "leak.env").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    done = subprocess.run(  # in a child with a timeout: a blocking read must fail the test, not hang it
        [sys.executable, "-m", "tradeguard.cli", "secrets", "."], cwd=in_tmp, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["leak.env"]
    assert "pipe.env: skipped: not a regular file (a FIFO)" in done.stderr
    assert "zero.env" not in done.stdout  # a link met while walking is not followed
    named = subprocess.run(
        [sys.executable, "-m", "tradeguard.cli", "secrets", "zero.env", "pipe.env"], cwd=in_tmp, capture_output=True,
        text=True, timeout=60,
    )
    assert named.returncode == 0, named.stderr
    assert "zero.env: skipped: not a regular file (a character device)" in named.stderr
