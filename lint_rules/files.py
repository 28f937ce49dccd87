"""Listing the Python files a run checks: excludes, ``.gitignore``, and paths that are not files.

Only regular files are listed: a FIFO, a device, a socket, a broken link or a link to one of them
is skipped with a note (reading one would hang the run or never end). A folder that cannot be
listed is a warning naming it, since its violations would otherwise be missed in silence. A name
that is not UTF-8 is kept (it is checked like any other) and shown with ``\\x..`` escapes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from lint_rules.config import SOURCE_SUFFIXES, Config, is_default_excluded
from lint_rules.gitignore import ignored_paths
from lint_rules.source import file_kind

def iter_python_files(config: Config, paths: list[Path], notes: list[str] | None = None) -> tuple[list[Path], list[str]]:
    """Python files under ``paths`` that are not excluded, and the paths that do not exist.

    A file named explicitly is checked even if a default exclude or ``.gitignore`` would skip its
    folder, but the configured ``exclude`` still applies (pre-commit passes excluded files by
    name). What was skipped and why is appended to ``notes``.
    """
    notes = [] if notes is None else notes
    found: dict[Path, None] = {}
    missing: list[str] = []
    for path in paths:
        if not os.path.lexists(path):
            missing.append(str(path))
            continue
        path = path.resolve()
        if path.is_dir():
            for _, file in walk_python_files(config, path, notes):
                found[Path(file)] = None
        elif config.is_excluded(config.relative(path)):
            continue
        elif path.is_file():
            found[path] = None
        else:
            _note_skipped(notes, shown(str(path)), path)
    return list(found), missing


def walk_python_files(config: Config, folder: Path, notes: list[str] | None = None) -> list[tuple[str, str]]:
    """(path relative to the config root, path) of each Python file below ``folder`` (resolved),
    in sorted order, without the files git ignores when ``respect-gitignore`` is on. Strings and
    ``scandir`` rather than ``pathlib``: a pre-commit run lists the whole project to know its
    index is fresh, and that must cost milliseconds."""
    notes = [] if notes is None else notes
    listed = list(_walk(config, folder, config.relative(folder), notes))
    if config.respect_gitignore and listed:
        ignored = ignored_paths(config.root, [rel for rel, _ in listed])
        listed = [(rel, path) for rel, path in listed if rel not in ignored]
    return listed


def _walk(config: Config, folder: Path, rel_folder: str, notes: list[str]) -> Iterator[tuple[str, str]]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        _add(notes, f"warning: cannot list folder {shown(rel_folder)}/ ({error.strerror}): its files are not checked")
        return
    for entry in entries:
        rel = entry.name if rel_folder in ("", ".") else f"{rel_folder}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            if not is_default_excluded(entry.name) and not config.is_excluded(rel):
                yield from _walk(config, Path(entry.path), rel, notes)
        elif entry.name.endswith(SOURCE_SUFFIXES) and not config.is_excluded(rel):
            if entry.is_file():  # follows links: a link to a regular file is one
                yield rel, entry.path
            else:
                _note_skipped(notes, shown(rel), Path(entry.path))


def _note_skipped(notes: list[str], name: str, path: Path) -> None:
    try:
        kind = file_kind(path.stat().st_mode)
    except OSError:
        kind = "a broken link"
    _add(notes, f"note: skipped {name}: {kind}, not a regular file")


def _add(notes: list[str], note: str) -> None:
    if note not in notes:  # the project walk and the checked paths may meet the same folder
        notes.append(note)


def shown(path: str) -> str:
    """``path`` printable: bytes of a name that is not UTF-8 as ``\\xff`` (``os.fsdecode`` keeps
    them as lone surrogates, which no output stream can write)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
