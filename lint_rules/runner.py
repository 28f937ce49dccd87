"""Checking a project: files, the project index, the result cache, and parallel workers.

The run in three steps:
1. the index: every Python file of the project, summarised by ``ast``, cached by content hash
   (a file is hashed again unless its size, times, inode and device are those it had when it was
   hashed, long enough ago that no edit in the same clock tick can hide: the change time is set
   by the kernel on every write, and no tool can set it back);
2. per checked file, a cached result keyed by (content hash, config, version), valid while the
   index facts its rules read give the same answers (see ``facts.py``), else
3. the engine: files that hold a token of an enabled rule are parsed by LibCST, in worker
   processes when there are many; the rest are settled without parsing.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from lint_rules import engine, fixer, suppression
from lint_rules.cache import CacheFile, code_fingerprint, pack, unpack
from lint_rules.config import Config, load_config, with_overrides
from lint_rules.context import FileContext
from lint_rules.cython import check_cython, is_cython, summarize_cython
from lint_rules.facts import Answers, RecordingIndex
from lint_rules.files import iter_python_files, shown, walk_python_files
from lint_rules.findings import Finding
from lint_rules.index import SUMMARY_VERSION, ProjectIndex, summarize_source
from lint_rules.source import NotRegularFile, Unreadable, decode_source, read_source

# Below these counts forking workers costs more than it saves.
MIN_FILES_TO_PARSE_IN_PARALLEL = 8
MIN_FILES_TO_SUMMARIZE_IN_PARALLEL = 200
# A file's stat is trusted to stand for its content only if it last changed this long before it
# was hashed (coarse file system clocks tick every few milliseconds; some every second).
RACY_SECONDS = 2
# The results cache's entry for the index its results were checked against (no path holds a NUL).
INDEX_IDENTITY = "\0index"
# Allocations between two passes of the garbage collector over the youngest objects (Python's
# default is 700); the older generations follow at their usual ratios, so seventy times rarer.
GC_THRESHOLD = 50_000


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    missing_paths: list[str] = field(default_factory=list)
    # Each configuration with the files it governed, for checks joined by callers (TG301).
    checked: list[tuple[Config, list[Path]]] = field(default_factory=list)
    fixes: fixer.FixReport = field(default_factory=fixer.FixReport)   # with `fix=`
    notes: list[str] = field(default_factory=list)   # skipped paths, unusable caches: for stderr


def check_paths(
    paths: Iterable[Path],
    *,
    select: tuple[str, ...] | None = None,
    ignore: tuple[str, ...] | None = None,
    extend_exclude: tuple[str, ...] = (),
    config_override: Config | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    fix: fixer.FixMode | None = None,
) -> CheckResult:
    """Check files and folders; each path is governed by the nearest ``[tool.tradeguard]``, or
    by ``config_override`` for all of them (``--config``). With ``fix``, apply the rules' fixes
    first (see ``Project.fix``).

    Raises ``ConfigError`` for a bad configuration; problems with single files become TG000.
    """
    with _collecting_rarely():
        return _check_paths(
            paths, select=select, ignore=ignore, extend_exclude=extend_exclude,
            config_override=config_override, use_cache=use_cache, jobs=jobs, fix=fix,
        )


@contextmanager
def _collecting_rarely() -> Iterator[None]:
    """Run with the cyclic garbage collector passing seldom. A run builds millions of objects that
    live until it ends (summaries, syntax trees) and little cyclic garbage; at its default pace
    the collector walked them all again and again, a tenth of a cold run's CPU."""
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _check_paths(paths, *, select, ignore, extend_exclude, config_override, use_cache, jobs, fix) -> CheckResult:
    result = CheckResult()
    paths = [Path(path) for path in paths]
    for config, group in [(config_override, paths)] if config_override else _group_by_config(paths):
        config = with_overrides(config, select, ignore, extend_exclude)
        fixer.fix_settings(config)  # a bad [tool.tradeguard.fix] is an error in every run
        files, missing = iter_python_files(config, group, result.notes)
        result.missing_paths.extend(missing)
        project = Project(config, use_cache=use_cache, jobs=jobs, notes=result.notes)
        project.build_index(files)
        result.findings.extend(project.fix(files, fix) if fix else project.check(files))
        result.fixes.add(project.fixes)
        result.files_checked += len(files)
        result.checked.append((config, files))
    result.findings.sort(key=Finding.sort_key)
    return result


def _group_by_config(paths: list[Path]) -> list[tuple[Config, list[Path]]]:
    groups: dict[Path | None, tuple[Config, list[Path]]] = {}
    for path in paths:
        config = load_config(path if path.exists() else Path.cwd())
        groups.setdefault(config.source, (config, []))[1].append(path)
    return list(groups.values())


def display_path(path: Path) -> str:
    """A path as findings show it: relative to the working directory, with ``/``; bytes of a
    name that is not UTF-8 as ``\\xff``."""
    return shown(Path(os.path.relpath(path)).as_posix())


class _IndexEntry:
    """One file of the index. A summary read from the cache stays encoded until something reads
    it: a warm run whose cached results all stand, or flake8 on one file, decodes none of them."""

    __slots__ = ("stat_key", "sha", "_summary", "_packed")

    def __init__(self, stat_key: tuple, sha: str, summary: dict | None = None, packed: bytes | None = None) -> None:
        self.stat_key = stat_key   # (size, mtime, ctime, inode, device) when hashed; () if not to be trusted
        self.sha = sha
        self._summary, self._packed = summary, packed

    @property
    def summary(self) -> dict:
        if self._summary is None:
            self._summary = unpack(self._packed or b"")
        return self._summary

    def packed(self) -> bytes:
        if self._packed is None:
            self._packed = pack(self._summary)
        return self._packed

    def restamped(self, stat_key: tuple, sha: str) -> _IndexEntry:
        """This entry for the same content found under a new stat."""
        return _IndexEntry(stat_key, sha, self._summary, self._packed)


class _Summaries(Mapping):
    """The index's summaries by path, read from the entries (so decoded only when asked for)."""

    def __init__(self, entries: dict[str, _IndexEntry]) -> None:
        self.entries = entries

    def __getitem__(self, rel: str) -> dict:
        return self.entries[rel].summary

    def __contains__(self, rel: object) -> bool:  # without decoding the summary
        return rel in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


class Project:
    """One configuration's files, index and caches for one run."""

    def __init__(self, config: Config, *, use_cache: bool = True, jobs: int | None = None,
                 notes: list[str] | None = None) -> None:
        self.config = config
        self.jobs = jobs or os.cpu_count() or 1
        self.index_cache = CacheFile(config.root, "index", enabled=use_cache)
        self.results_cache = CacheFile(config.root, "results", enabled=use_cache)
        self.entries: dict[str, _IndexEntry] = {}
        self.index = ProjectIndex.for_config(config)
        self.index_identity = ""
        self.fixes = fixer.FixReport()
        self.notes = [] if notes is None else notes

    # --- step 1: the index ---------------------------------------------------------------
    def build_index(self, checked_files: list[Path]) -> None:
        # Without a pyproject.toml there is no project to speak of: only the checked files.
        project_files: dict[str, str] = {self.config.relative(path): str(path) for path in checked_files}
        if self.config.source is not None:
            project_files.update(walk_python_files(self.config, self.config.root, self.notes))
        cached = self.load(self.index_cache)
        if cached.get("summary_version") != SUMMARY_VERSION:
            cached = {}
        cached_files = cached.get("files", {})
        stale: list[tuple[str, str, list | None]] = []
        for rel, path in project_files.items():
            entry = _cached_entry(cached_files.get(rel))
            if entry is not None and entry.stat_key and entry.stat_key == _stat_key(path):
                self.entries[rel] = entry
            else:
                stale.append((rel, path, entry))
        changed = False
        if stale:
            summarize = _parallel_map if len(stale) >= MIN_FILES_TO_SUMMARIZE_IN_PARALLEL else _serial_map
            known = {rel: entry.sha for rel, _, entry in stale if entry is not None}
            jobs = [(path, known.get(rel)) for rel, path, _ in stale]
            for (rel, _, old), fresh in zip(stale, summarize(_summarize_file, jobs, self.jobs)):
                self.entries[rel] = _IndexEntry(*fresh) if fresh[2] is not None else old.restamped(fresh[0], fresh[1])
                # A file hashed again only because it changed too recently for its stat to be
                # trusted, and found the same, is no reason to rewrite the index (an editor's
                # flake8 runs within that time of every save).
                changed = changed or old is None or (old.stat_key, old.sha) != fresh[:2]
        self._use_entries(save=changed)

    def load(self, cache: CacheFile) -> dict:
        document = cache.load()
        if cache.note and cache.note not in self.notes:
            self.notes.append(cache.note)
        return document

    def _use_entries(self, save: bool) -> None:
        """Make the index of ``self.entries``."""
        if save:
            self.index_cache.save({
                "summary_version": SUMMARY_VERSION,
                "files": {rel: [e.stat_key, e.sha, e.packed()] for rel, e in self.entries.items()},
            })
        self.index = ProjectIndex.for_config(self.config)
        self.index.summaries = _Summaries(self.entries)
        # Summaries follow from contents: the same files with the same hashes are the same index.
        identity = repr((SUMMARY_VERSION, sorted((rel, entry.sha) for rel, entry in self.entries.items())))
        self.index_identity = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()

    # --- steps 2 and 3: the findings ------------------------------------------------------
    def check(self, files: list[Path], fix: fixer.FixMode | None = None) -> list[Finding]:
        """The findings of ``files``. With ``fix``, files with findings are also fixed in memory
        (see ``fixer.fix_source``) and the fixes collected in ``self.fixes``; nothing is written,
        and nothing is cached (the fixed files are checked again afterwards)."""
        ruleset = engine.RuleSet.for_config(self.config)
        cached_results = self.load(self.results_cache)
        # The index the cached results were last all checked against: if it is today's, every
        # fact any of them read is unchanged and no question needs asking again.
        answers = Answers(self.index, cached_results.get(INDEX_IDENTITY) == self.index_identity, self.index_identity)
        results: dict[str, list[Finding]] = {}
        fresh: dict[str, list] = {}   # rel -> [key, findings, facts asked] to cache
        to_parse: list[tuple[str, str, Unreadable | None, tuple[str, ...]]] = []
        for path in files:
            rel = self.config.relative(path)
            entry = self.entries.get(rel)
            if entry is None:  # vanished or unreadable between listing and now
                results[rel] = [_tg000(rel, "cannot be read")]
                continue
            key = self.result_key(rel, entry.sha)
            hit = None if fix else self.still_valid(cached_results.get(rel), key, answers, rel, lambda: _read_text(path), lambda: ruleset)
            if hit is not None:
                results[rel] = hit
                continue
            unreadable = _unreadable(entry.summary.get("unreadable"))
            if unreadable:
                results[rel] = suppression.apply([engine.unreadable_finding(rel, unreadable)], self.context(rel, ""))
                fresh[rel] = [key, results[rel], {}]
                continue
            context = self.context(rel, _read_text(path), record=not fix)
            if is_cython(rel):  # no syntax tree: TG101 by a token scan
                results[rel] = suppression.apply(check_cython(context), context)
                fresh[rel] = [key, results[rel], context.index.asked if not fix else None]
                continue
            ast_error = _unreadable(entry.summary.get("syntax_error"))
            rules = ruleset.rules_for(context)
            if ast_error or rules:  # the worker is told the rules: their prefilters cost a fifth of a cold run
                to_parse.append((rel, context.text, ast_error, tuple(rule.code for rule in rules)))
            else:
                results[rel] = suppression.apply([], context)
            fresh[rel] = [key, results.get(rel), context.index.asked if not fix else None]
        if to_parse:
            _WORKER_STATE.update(project=self, ruleset=ruleset, fix=fix)
            parse = _parallel_map if len(to_parse) >= MIN_FILES_TO_PARSE_IN_PARALLEL else _serial_map
            for (rel, *_), (found, asked) in zip(to_parse, parse(_check_in_worker, to_parse, self.jobs, _crashed_check)):
                results[rel] = self.fixes.take(self.config.root / rel, found) if fix else found
                fresh[rel][1] = results[rel]
                if asked is not None:
                    fresh[rel][2] = {**fresh[rel][2], **asked}
        self.save_results(cached_results, fresh, complete=not fix and len(files) == len(self.entries))
        return [_for_display(finding, self.config.root) for findings in results.values() for finding in findings]

    @cached_property
    def run_key(self) -> str:
        return f"{code_fingerprint()}:{self.config.fingerprint()}"

    def result_key(self, rel: str, sha: str) -> str:
        """The cache key of a file's findings: its path, its content and what the rules are."""
        return hashlib.sha256(f"{self.run_key}:{sha}:{rel}".encode("utf-8", "surrogatepass")).hexdigest()[:24]

    def still_valid(self, hit, key: str, answers: Answers, rel: str, text: Callable[[], str],
                    rules: Callable[[], engine.RuleSet]) -> list[Finding] | None:
        """The cached findings of a file, if its entry is for this content and configuration and
        the index still answers its rules' questions alike; else None. ``text`` and ``rules`` are
        asked for only if a question needs them (a warm hit in flake8 builds no rule set)."""
        try:
            stored_key, stored, asked = hit
            if stored_key != key:
                return None
            if not answers.unchanged(asked):
                if not answers.unanswered(asked):
                    return None
                # A value derived from the index that no file has computed in this run: the
                # file's own prefilter computes it (as it did when the entry was made).
                context = self.context(rel, text())
                ruleset = rules()
                ruleset.rules_for(context)
                ruleset.prepare(context)
                answers.forget_unanswered()
                if not answers.unchanged(asked):
                    return None
            return [Finding.from_json(item) for item in stored]
        except (TypeError, ValueError, KeyError, AttributeError):  # an entry of another shape
            return None

    def save_results(self, cached: dict, fresh: dict[str, list], complete: bool = False) -> None:
        """Add ``fresh`` entries ([key, findings, facts asked], by path) to the results cache.
        ``complete``: every file of the project was checked or found valid against today's index."""
        storable = {
            rel: [key, [finding.to_json() for finding in findings], asked]
            for rel, (key, findings, asked) in fresh.items()
            if asked is not None and findings is not None
        }
        same_index = cached.get(INDEX_IDENTITY) == self.index_identity
        if storable or (complete and not same_index):
            known = set(self.entries)
            kept = {rel: value for rel, value in cached.items() if rel in known}
            # Entries not looked at in this run were valid against an older index: until a
            # complete run has asked their questions again, none may skip asking.
            kept[INDEX_IDENTITY] = self.index_identity if complete or same_index else None
            self.results_cache.save({**kept, **storable})

    def fix(self, files: list[Path], mode: fixer.FixMode) -> list[Finding]:
        """Apply the fixes to ``files`` (only collect them, for --diff, when ``mode.write`` is
        off); the findings on disk afterwards. Fixed files are summarised and checked again, so
        the caches hold their new content and the report is that of a fresh run; the other files'
        cached results are checked against the new index as in any run."""
        findings = self.check(files, fix=mode)
        if not mode.write or not self.fixes.files:
            return findings
        written = self.fixes.write()
        for path in written:
            self.entries[self.config.relative(path)] = _IndexEntry(*_summarize_file((str(path), None)))
        self._use_entries(save=bool(written))
        return self.check(files)

    def context(self, rel: str, text: str, record: bool = False) -> FileContext:
        return FileContext(rel, text, self.config, RecordingIndex(self.index, self.index_identity) if record else self.index)


def _cached_entry(stored) -> _IndexEntry | None:
    try:
        stat_key, sha, packed = stored
        return _IndexEntry(tuple(stat_key), sha, packed=packed) if isinstance(packed, bytes) and isinstance(sha, str) else None
    except (TypeError, ValueError):  # none, or an entry of another shape
        return None


def _stat_key(path: str) -> tuple:
    try:
        info = os.stat(path)
    except OSError:
        return ()
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def _unreadable(stored: dict | None) -> Unreadable | None:
    return Unreadable(stored["reason"], stored["line"], stored["column"]) if stored else None


def _tg000(rel: str, reason: str) -> Finding:
    return engine.unreadable_finding(rel, Unreadable(reason))


def _for_display(finding: Finding, root: Path) -> Finding:
    return replace(finding, path=display_path(root / finding.path))


def _read_text(path: Path) -> str:
    # The index step already decoded this file successfully, so this cannot fail but for a
    # race with an editor; an empty text then yields no findings rather than a traceback.
    try:
        return decode_source(read_source(path))
    except (OSError, Unreadable):
        return ""


def _summarize_file(job: tuple[str, str | None]) -> tuple[tuple, str, dict | None]:
    """(stat key, sha256, summary) of one file; the summary is None when the content still has
    the ``known`` hash (only its stat changed). Unreadable files get an ``unreadable`` entry."""
    path, known = job
    started = time.time_ns()
    try:
        before = _stat_key(path)
        data = read_source(path)
    except NotRegularFile as error:
        return ((), "", {"unreadable": {"reason": str(error), "line": 1, "column": 1}})
    except OSError as error:
        return ((), "", {"unreadable": {"reason": f"cannot be read ({error.strerror})", "line": 1, "column": 1}})
    # Racy: changed too shortly before it was read, an edit in the same clock tick could follow.
    stat_key = before if before and before[2] < started - RACY_SECONDS * 1_000_000_000 else ()
    sha = hashlib.sha256(data).hexdigest()
    if sha == known:
        return (stat_key, sha, None)
    try:
        summary = (summarize_cython if is_cython(path) else summarize_source)(decode_source(data))
    except Unreadable as error:
        summary = {"unreadable": {"reason": str(error), "line": error.line, "column": error.column}}
    return (stat_key, sha, summary)


# Set in the parent before workers fork, so each worker inherits the project and rules once.
_WORKER_STATE: dict = {}


def _check_in_worker(item: tuple[str, str, Unreadable | None, tuple[str, ...]]) -> tuple[list[Finding] | fixer.FixOutcome, dict | None]:
    """The findings (or fix outcome) of one file, and the index facts its rules read (besides
    those its prefilters read, which the parent recorded when it chose the ``rules``)."""
    rel, text, ast_error, rules = item
    project: Project = _WORKER_STATE["project"]
    ruleset, fix = _WORKER_STATE["ruleset"], _WORKER_STATE["fix"]
    context = project.context(rel, text, record=not fix)
    if fix:
        return fixer.fix_source(context, ruleset, fix.unsafe, ast_error), None
    return engine.check_source(context, ruleset, ast_error, ruleset.named(rules)), context.index.asked


def _serial_map(function: Callable, items: list, jobs: int, on_crash: Callable | None = None) -> list:
    return [function(item) for item in items]


def _parallel_map(function: Callable, items: list, jobs: int, on_crash: Callable | None = None) -> list:
    """``function`` over ``items`` in forked workers. Serial where workers cannot be had: one
    job, no ``fork``, or inside a daemonic process (flake8's own workers may not have children).
    If a worker dies (a crash in native code), the items of its share run again one process
    each, and ``on_crash(item)`` stands for the result of the one that kills its process."""
    import multiprocessing

    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return _serial_map(function, items, jobs)
    from concurrent.futures import ProcessPoolExecutor  # here: one-file runs never need it
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, len(items) // (jobs * 4))
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_serial_map, function, chunk, 1) for chunk in chunks]
        done: list = []
        for chunk, future in zip(chunks, futures):
            try:
                done.extend(future.result())
            except BrokenProcessPool:  # a worker died (a crash in native code): isolate each file
                done.extend(_isolated(function, item, context, on_crash) for item in chunk)
    return done


def _isolated(function: Callable, item, context, on_crash: Callable | None):
    """``function(item)`` in a process of its own; a crash of it is reported for this item only."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(function, item).result()
        except BrokenProcessPool:
            if on_crash is None:
                raise
            return on_crash(item)


def _crashed_check(item: tuple[str, str, Unreadable | None, tuple[str, ...]]) -> tuple[list[Finding] | fixer.FixOutcome, None]:
    """What a file whose check killed its worker comes to: one TG000."""
    rel, text, *_ = item
    finding = _tg000(rel, "the parser crashed on this file (please report it with this file's shape)")
    return (fixer.FixOutcome(text, None, [finding]) if _WORKER_STATE.get("fix") else [finding]), None
