"""Scanning git history: every blob ever committed, once each, named by the commit that added it.

A key committed and deleted later is still in the history, and still usable by anyone who
clones it. One ``git log --raw`` pass (oldest first, all refs) records, for each blob, the
first commit and path that introduced it; ``git cat-file --batch`` then streams the blobs'
contents, each scanned once however many commits and paths share it.
"""

from __future__ import annotations

import codecs
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace

from hooks.secrets.engine import NO_EXCLUDES, scan_source
from hooks.secrets.results import Detection, ExcludePatterns, Note, ScanError, ScanReport
from hooks.secrets.scan import DEFAULT_MAX_BYTES, display_path, read_text

_NULL_SHA = "0" * 40
_SUBMODULE_MODE = "160000"


class HistoryError(ScanError):
    """The history could not be read; the message is one line."""


def _git(repo: str, *args: str) -> str:
    try:
        completed = subprocess.run(
            ["git", "-C", repo, "-c", "core.quotePath=false", *args],
            capture_output=True, text=True, encoding="utf-8", errors="surrogateescape", check=False,
        )
    except FileNotFoundError:
        raise HistoryError("git is not installed") from None
    if completed.returncode != 0:
        first_line = (completed.stderr.strip().splitlines() or ["failed"])[0]
        raise HistoryError(f"git {args[0]}: {first_line}")
    return completed.stdout


def _unquote(path: str) -> str:
    """Git C-quotes paths holding quotes, backslashes or control characters."""
    if path.startswith('"') and path.endswith('"'):
        raw = codecs.escape_decode(path[1:-1].encode("utf-8", "surrogateescape"))[0]
        return raw.decode("utf-8", "surrogateescape")
    return path


def first_introductions(repo: str) -> dict[str, tuple[str, str]]:
    """blob sha -> (commit sha, path) of the oldest commit whose diff adds that blob."""
    log = _git(
        repo, "log", "--all", "--reverse", "--raw", "--no-abbrev", "--no-renames",
        "--diff-merges=first-parent", "--format=commit %H",
    )
    introduced: dict[str, tuple[str, str]] = {}
    commit = ""
    for line in log.splitlines():
        if line.startswith("commit "):
            commit = line[7:]
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) >= 4 and fields[1] != _SUBMODULE_MODE and fields[3] != _NULL_SHA:
                introduced.setdefault(fields[3], (commit, _unquote(path)))
    return introduced


def _blob_sizes(repo: str, shas: list[str]) -> dict[str, int]:
    completed = subprocess.run(
        ["git", "-C", repo, "cat-file", "--batch-check"], input="\n".join(shas) + "\n",
        capture_output=True, text=True, check=False,
    )
    sizes = {}
    for line in completed.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] == "blob":
            sizes[fields[0]] = int(fields[2])
    return sizes


def _blobs(repo: str, shas: list[str]) -> Iterator[tuple[str, bytes]]:
    process = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    to_git, from_git = process.stdin, process.stdout
    if to_git is None or from_git is None:
        raise HistoryError("git cat-file: no pipes")

    def feed() -> None:
        # A thread writes while this one reads: either side alone could fill a pipe and stall.
        try:
            with to_git:
                for sha in shas:
                    to_git.write(sha.encode() + b"\n")
        except BrokenPipeError:
            pass  # git stopped early; the reader reports what it got

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for _ in shas:
            header = from_git.readline().split()
            if len(header) != 3:
                break
            data = from_git.read(int(header[2]))
            from_git.read(1)  # the newline after each blob
            yield header[0].decode(), data
    finally:
        from_git.close()  # first, so a git still writing fails instead of blocking the writer
        writer.join()
        process.wait()


def scan_history(repo: str = ".", excludes: ExcludePatterns = NO_EXCLUDES, max_bytes: int = DEFAULT_MAX_BYTES) -> ScanReport:
    """Detections in every blob reachable from any ref of the repository holding `repo`."""
    top = _git(repo, "rev-parse", "--show-toplevel").strip()
    introduced = first_introductions(top)
    report = ScanReport()
    sizes = _blob_sizes(top, list(introduced))
    wanted = []
    for sha, size in sizes.items():
        commit, path = introduced[sha]
        shown = display_path(os.path.join(top, path))
        if excludes.excludes_file(shown):
            continue
        if size > max_bytes:
            reason = f"skipped in commit {commit[:12]}: {size:,} bytes is over the {max_bytes:,}-byte limit"
            report.notes.append(Note(shown, reason))
        else:
            wanted.append(sha)
    binary = 0
    for sha, data in _blobs(top, wanted):
        commit, path = introduced[sha]
        shown = display_path(os.path.join(top, path))
        text, reason = read_text(data)
        report.scanned.append(shown)
        if text is None:
            binary += 1
            continue
        if reason:
            report.notes.append(Note(shown, f"in commit {commit[:12]}: {reason}"))
        report.detections.extend(_attributed(detection, commit) for detection in scan_source(shown, text, excludes))
    if binary:
        report.notes.append(Note(display_path(top), f"skipped {binary} binary blob(s) in the history"))
    report.detections.sort(key=lambda detection: detection.finding.sort_key())
    return report


def _attributed(detection: Detection, commit: str) -> Detection:
    message = f"{detection.finding.message} (added in commit {commit[:12]})"
    return Detection(replace(detection.finding, message=message), detection.secret_hash)
