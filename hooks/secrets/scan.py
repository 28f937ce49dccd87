"""Scanning paths on disk: walk, read safely, scan in parallel when there is enough to do.

A file that cannot be scanned (unreadable, binary, over the size limit) becomes one `Note`
naming it and the reason; the other files are still scanned. Only one file's worth of
bytes is held per worker at a time; workers send back detections, which hold hashes, never
secret values.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Sequence

from hooks.secrets.engine import NO_EXCLUDES, detectors, scan_source
from hooks.secrets.results import Detection, ExcludePatterns, Note, ScanReport
from lint_rules.source import NotRegularFile, read_source

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
BASELINE_NAME = ".secrets.baseline"

# Folders that hold tools' and dependencies' files, not the project's.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "node_modules", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".eggs", ".hypothesis", ".tradeguard_cache",
    "site-packages",
})
# Met while walking, these are skipped without a note, as detect-secrets does: they are binary by
# type, and a note for every image would bury the notes that matter. Named explicitly, they are
# read, and a binary one gets its note.
BINARY_EXTENSIONS = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".icns", ".webp", ".tif", ".tiff", ".psd", ".pdf",
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".jar", ".war", ".whl", ".egg", ".so",
    ".dylib", ".dll", ".exe", ".bin", ".o", ".a", ".pyc", ".pyo", ".class", ".woff", ".woff2", ".ttf",
    ".otf", ".eot", ".mp3", ".mp4", ".mov", ".avi", ".wav", ".flac", ".ogg", ".sqlite", ".db",
    ".parquet", ".feather", ".h5", ".hdf5", ".npy", ".npz", ".pkl", ".pickle", ".xlsx", ".xls",
    ".docx", ".doc", ".pptx",
})
# Below this many files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 200
_BINARY_SNIFF_BYTES = 8192


def display_path(path: str) -> str:
    """Relative to the working directory, with `/` (how findings and baselines name files)."""
    if not os.path.isabs(path):  # already relative to it: normalising is enough (and much cheaper)
        return os.path.normpath(path).replace(os.sep, "/")
    return os.path.relpath(path).replace(os.sep, "/")


def collect(
    paths: Sequence[str], excludes: ExcludePatterns, skip: frozenset[str], respect_gitignore: bool = True
) -> tuple[list[str], list[Note]]:
    """Files to scan under `paths` (walked in sorted order), and notes for paths that do not exist.

    `skip` holds absolute paths never to scan (the baseline being used). Files met while walking
    a folder are dropped when git ignores them (`respect_gitignore`): they are not committed, so
    they are no committed secret, and a baseline must not record them. A file named explicitly
    is always scanned, as ruff does; the pre-commit hook names staged files, which git tracks.
    """
    files: list[str] = []
    notes: list[Note] = []
    for path in paths:
        if os.path.isdir(path):
            walked = list(_walk(path, excludes, skip))
            files.extend(_not_ignored(walked) if respect_gitignore else walked)
        elif os.path.lexists(path):
            shown = display_path(path)
            if os.path.abspath(path) not in skip and not excludes.excludes_file(shown):
                files.append(path)
        else:
            notes.append(Note(display_path(path), "no such file or directory", is_error=True))
    return files, notes


def _not_ignored(files: list[str]) -> list[str]:
    if not files:
        return files
    from pathlib import Path

    from lint_rules.gitignore import ignored_paths

    shown = [display_path(path) for path in files]
    ignored = ignored_paths(Path.cwd(), shown)
    return [path for path, name in zip(files, shown) if name not in ignored] if ignored else files


def _walk(top: str, excludes: ExcludePatterns, skip: frozenset[str]) -> Iterable[str]:
    for folder, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(names):
            path = os.path.join(folder, name)
            if (
                os.path.splitext(name)[1].lower() in BINARY_EXTENSIONS
                or name == BASELINE_NAME
                or os.path.islink(path)
                or os.path.abspath(path) in skip
                or excludes.excludes_file(display_path(path))
            ):
                continue
            yield path


# Byte-order marks, UTF-32 first: its little-endian mark opens with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes no text file holds (NUL aside, judged on its own): most of a binary file's first bytes.
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13, 27})
_BINARY_CONTROL_SHARE = 0.1


def read_text(data: bytes) -> tuple[str | None, str | None]:
    """(text, note): text is None for binary data; a note says how an odd file was read.

    UTF-16 and UTF-32 files (Windows tools write them) are decoded by their byte-order mark,
    or as UTF-16 when every other byte is NUL. Stray NUL bytes in a text file are read as
    spaces, so one NUL cannot hide every key in a `.env`.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), None
    sniff = data[:_BINARY_SNIFF_BYTES]
    if b"\0" in sniff:
        utf16 = _bomless_utf16(sniff)
        if utf16:
            return data.decode(utf16, errors="replace"), None
        if _is_binary(sniff):
            return None, "skipped: binary file"
        data = data.replace(b"\0", b" ")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        # Credentials are ASCII; a config saved in a legacy encoding still holds them.
        return data.decode("latin-1"), f"not UTF-8 (byte {error.start}); scanned as Latin-1"


def _bomless_utf16(sniff: bytes) -> str | None:
    """UTF-16 without a mark: ASCII text leaves every other byte NUL."""
    even, odd = sniff[0::2], sniff[1::2]
    if len(sniff) >= 8 and odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if len(sniff) >= 8 and even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _is_binary(sniff: bytes) -> bool:
    """More than a tenth of the first bytes are NULs or control bytes: a binary file."""
    controls = len(sniff) - len(sniff.translate(None, _CONTROL_BYTES + b"\0"))
    return controls > _BINARY_CONTROL_SHARE * len(sniff)


def scan_file(
    path: str, excludes: ExcludePatterns = NO_EXCLUDES, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Detection], list[Note]]:
    shown = display_path(path)
    try:
        data = read_source(path, max_bytes)  # never blocks: a FIFO or a device is refused
        if len(data) > max_bytes:
            size = max(os.path.getsize(path), len(data))
            return [], [Note(shown, f"skipped: {size:,} bytes is over the {max_bytes:,}-byte limit (--max-file-size)")]
    except NotRegularFile as error:
        return [], [Note(shown, f"skipped: {error}")]
    except OSError as error:
        return [], [Note(shown, f"cannot read: {error.strerror or type(error).__name__}", is_error=True)]
    text, reason = read_text(data)
    notes = [Note(shown, reason)] if reason else []
    return (scan_source(shown, text, excludes) if text is not None else []), notes


def _scan_batch(paths: list[str], excludes: ExcludePatterns, max_bytes: int) -> tuple[list[Detection], list[Note]]:
    detections: list[Detection] = []
    notes: list[Note] = []
    for path in paths:
        found, noted = scan_file(path, excludes, max_bytes)
        detections.extend(found)
        notes.extend(noted)
    return detections, notes


def scan_paths(
    paths: Sequence[str],
    *,
    excludes: ExcludePatterns = NO_EXCLUDES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    jobs: int | None = None,
    skip: Iterable[str] = (),
    respect_gitignore: bool = True,
) -> ScanReport:
    """Scan files and folders; many files are spread over `jobs` processes (default: all CPUs)."""
    files, notes = collect(paths, excludes, frozenset(os.path.abspath(path) for path in skip), respect_gitignore)
    report = ScanReport(notes=notes, scanned=[display_path(path) for path in files])
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(files) < PARALLEL_MIN_FILES:
        batches = [_scan_batch(files, excludes, max_bytes)]
    else:
        # Imported here: a one-file hook run needs no process pool and should not pay for it.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        detectors()  # import them once, before forking, so workers inherit them
        chunks = [files[start::jobs * 4] for start in range(jobs * 4)]
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            batches = list(pool.map(_scan_batch, chunks, [excludes] * len(chunks), [max_bytes] * len(chunks)))
    for detections, batch_notes in batches:
        report.detections.extend(detections)
        report.notes.extend(batch_notes)
    report.detections.sort(key=lambda detection: detection.finding.sort_key())
    report.notes.sort(key=lambda note: note.path)
    return report
