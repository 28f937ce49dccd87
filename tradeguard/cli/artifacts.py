"""`tradeguard artifacts [--history]`: audit logs, state, databases and large data dumps committed to
the repository, and the command that would prune them (printed, never run).

Without ``--history`` it looks at the tracked files and prints the ``git rm --cached`` that untracks
them. With ``--history`` it looks at every blob reachable from any ref, so files deleted long ago
still count (they stay in every clone), and prints the ``git filter-repo`` command that would
rewrite them out of the history.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Optional

from hooks.artifacts import DEFAULT_MAX_KB, HEAD_BYTES, Artifact, classify

HELP = "list logs, databases and large data committed to the repository (and its history), with the prune command"
CHUNK = 1 << 16


class GitError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradeguard artifacts", description=HELP)
    parser.add_argument("--history", action="store_true", help="every blob in the git history, not only tracked files")
    parser.add_argument("--max-kb", type=int, default=DEFAULT_MAX_KB, help="largest data dump allowed (default 500)")
    parser.add_argument("-C", dest="repo", type=Path, default=Path("."), help="the repository (default: here)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        found = list(history(args.repo, args.max_kb) if args.history else tracked(args.repo, args.max_kb))
    except GitError as exc:
        print(f"tradeguard artifacts: {exc}", file=sys.stderr)
        return 2
    if not found:
        print("No artifacts found" + (" in the history." if args.history else " among the tracked files."))
        return 0
    for artifact in found:
        print(artifact.describe())
    print(prune_advice(found, args.history))
    return 1


def prune_advice(found: list[Artifact], in_history: bool) -> str:
    paths = sorted({artifact.path for artifact in found})
    total = sum(artifact.size for artifact in found)
    if not in_history:
        command = "git rm --cached -- " + " ".join(map(shlex.quote, paths))
        return (f"\n{len(found)} tracked file(s). To stop tracking them (the files stay on disk), then add them "
                f"to .gitignore:\n  {command}\n(printed, not run; `--history` also finds deleted ones)")
    command = "git filter-repo --invert-paths " + " ".join(f"--path {shlex.quote(path)}" for path in paths)
    return (f"\n{len(found)} blob(s), {total} bytes, in the history. To remove them from every commit "
            f"(rewrites history: run it in a fresh clone, force-push, and have everyone re-clone):\n"
            f"  {command}\n(printed, not run)")


def tracked(repo: Path, max_kb: int) -> Iterator[Artifact]:
    for name in _git(repo, "ls-files", "-z").split(b"\0"):
        if not name:
            continue
        path = repo / name.decode("utf-8", "surrogateescape")
        try:
            with open(path, "rb") as handle:
                head = handle.read(HEAD_BYTES)
                size = handle.seek(0, 2)
        except OSError:  # deleted in the working tree, or a submodule
            continue
        found = classify(name.decode("utf-8", "replace"), size, head, max_kb)
        if found is not None:
            yield found


def history(repo: Path, max_kb: int) -> Iterator[Artifact]:
    """Every blob reachable from any ref that is an artifact (a blob under several paths: its first)."""
    listed = _git(repo, "rev-list", "--objects", "--all").decode("utf-8", "replace").splitlines()
    paths = {}
    for line in listed:
        sha, _, path = line.partition(" ")
        if path:
            paths.setdefault(sha, path)
    if not paths:
        return
    process = subprocess.Popen(["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)
    try:
        # One name in, one object out: the pipes never fill up.
        for sha, path in paths.items():
            process.stdin.write(f"{sha}\n".encode())
            process.stdin.flush()
            blob = _read_object(process.stdout)
            if blob is None:
                continue
            found = classify(path, blob[0], blob[1], max_kb)
            if found is not None:
                yield found
    finally:
        process.stdin.close()
        process.stdout.close()
        process.wait()


def _read_object(stream) -> Optional[tuple[int, bytes]]:
    """(size, first bytes) of the next object of ``git cat-file --batch``, None for a non-blob."""
    header = stream.readline().split()
    if len(header) < 3:  # "<sha> missing"
        return None
    kind, size = header[1], int(header[2])
    head, left = b"", size + 1  # the content, then a newline
    while left:
        chunk = stream.read(min(CHUNK, left))
        if not chunk:
            break
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        left -= len(chunk)
    return (size, head) if kind == b"blob" else None


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=600)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        reason = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["git failed"])[-1]
        raise GitError(f"{repo}: {reason}")
    return done.stdout
