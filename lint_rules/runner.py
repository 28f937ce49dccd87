"""Checking a project: files, the project index, the result cache, and parallel workers.

The run in three steps:
1. the index: every Python file of the project, summarised by ``ast`` (only files whose size or
   modification time changed since the cached summary are read again);
2. per checked file, a cached result keyed by (content hash, config, index, version), else
3. the engine: files that hold a token of an enabled rule are parsed by LibCST, in worker
   processes when there are many; the rest are settled without parsing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lint_rules import engine, fixer, suppression
from lint_rules.cache import CacheFile, code_fingerprint
from lint_rules.config import Config, iter_python_files, load_config, walk_python_files, with_overrides
from lint_rules.context import FileContext
from lint_rules.findings import Finding
from lint_rules.index import SUMMARY_VERSION, ProjectIndex, summarize_source
from lint_rules.source import Unreadable, decode_source

# Below these counts forking workers costs more than it saves.
MIN_FILES_TO_PARSE_IN_PARALLEL = 8
MIN_FILES_TO_SUMMARIZE_IN_PARALLEL = 200


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    missing_paths: list[str] = field(default_factory=list)
    # Each configuration with the files it governed, for checks joined by callers (TG301).
    checked: list[tuple[Config, list[Path]]] = field(default_factory=list)
    fixes: fixer.FixReport = field(default_factory=fixer.FixReport)   # with `fix=`


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
    by ``config_override`` for all of them (``--config``). With ``fix``, apply the rules' fixes first (see ``Project.fix``).

    Raises ``ConfigError`` for a bad configuration; problems with single files become TG000.
    """
    result = CheckResult()
    paths = [Path(path) for path in paths]
    for config, group in [(config_override, paths)] if config_override else _group_by_config(paths):
        config = with_overrides(config, select, ignore, extend_exclude)
        fixer.fix_settings(config)  # a bad [tool.tradeguard.fix] is an error in every run
        files, missing = iter_python_files(config, group)
        result.missing_paths.extend(missing)
        project = Project(config, use_cache=use_cache, jobs=jobs)
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
    """A path as findings show it: relative to the working directory, with ``/``."""
    return Path(os.path.relpath(path)).as_posix()


@dataclass
class _IndexEntry:
    mtime_ns: int
    size: int
    sha: str
    summary: dict


class Project:
    """One configuration's files, index and caches for one run."""

    def __init__(self, config: Config, *, use_cache: bool = True, jobs: int | None = None) -> None:
        self.config = config
        self.jobs = jobs or os.cpu_count() or 1
        self.index_cache = CacheFile(config.root, "index", enabled=use_cache)
        self.results_cache = CacheFile(config.root, "results", enabled=use_cache)
        self.entries: dict[str, _IndexEntry] = {}
        self.index = ProjectIndex.for_config(config)
        self.fixes = fixer.FixReport()

    # --- step 1: the index ---------------------------------------------------------------
    def build_index(self, checked_files: list[Path]) -> None:
        # Without a pyproject.toml there is no project to speak of: only the checked files.
        project_files: dict[str, Path | os.DirEntry] = {self.config.relative(path): path for path in checked_files}
        if self.config.source is not None:
            project_files.update(walk_python_files(self.config, self.config.root))
        cached = self.index_cache.load()
        if cached.get("summary_version") != SUMMARY_VERSION:
            cached = {}
        cached_files = cached.get("files", {})
        stale: list[tuple[str, Path]] = []
        for rel, file in project_files.items():
            try:
                stat = file.stat()
            except OSError:
                continue
            entry = cached_files.get(rel)
            if entry and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size:
                self.entries[rel] = _IndexEntry(*entry)
            else:
                stale.append((rel, Path(file)))
        if stale:
            summarize = _parallel_map if len(stale) >= MIN_FILES_TO_SUMMARIZE_IN_PARALLEL else _serial_map
            for rel, entry in zip([rel for rel, _ in stale], summarize(_summarize_file, [p for _, p in stale], self.jobs)):
                self.entries[rel] = _IndexEntry(*entry)
        self._use_entries(save=bool(stale))

    def _use_entries(self, save: bool) -> None:
        """Make the index of ``self.entries`` (facts derived from an older one are dropped)."""
        if save:
            self.index_cache.save({
                "summary_version": SUMMARY_VERSION,
                "files": {rel: [e.mtime_ns, e.size, e.sha, e.summary] for rel, e in self.entries.items()},
            })
        self.index = ProjectIndex.for_config(self.config)
        self.index.summaries = {rel: entry.summary for rel, entry in self.entries.items()}

    # --- steps 2 and 3: the findings ------------------------------------------------------
    def check(self, files: list[Path], fix: fixer.FixMode | None = None) -> list[Finding]:
        """The findings of ``files``. With ``fix``, files with findings are also fixed in memory
        (see ``fixer.fix_source``) and the fixes collected in ``self.fixes``; nothing is written."""
        ruleset = engine.RuleSet.for_config(self.config)
        run_key = f"{code_fingerprint()}:{self.config.fingerprint()}:{self.index.fingerprint()}"
        cached_results = self.results_cache.load()
        results: dict[str, list[Finding]] = {}
        to_parse: list[tuple[str, str, Unreadable | None]] = []
        for path in files:
            rel = self.config.relative(path)
            entry = self.entries.get(rel)
            if entry is None:  # vanished or unreadable between listing and now
                results[rel] = [_tg000(rel, "cannot be read")]
                continue
            key = hashlib.sha256(f"{run_key}:{entry.sha}:{rel}".encode()).hexdigest()[:24]
            hit = cached_results.get(rel)
            if hit and hit[0] == key and not (fix and hit[1]):  # findings may come with fixes
                results[rel] = [Finding.from_json(item) for item in hit[1]]
                continue
            cached_results[rel] = [key, None]
            unreadable = _unreadable(entry.summary.get("unreadable"))
            if unreadable:
                results[rel] = suppression.apply([engine.unreadable_finding(rel, unreadable)], self._context(rel, ""))
                continue
            text = _read_text(path)
            context = self._context(rel, text)
            ast_error = _unreadable(entry.summary.get("syntax_error"))
            if ast_error or ruleset.rules_for(context):
                to_parse.append((rel, text, ast_error))
            else:
                results[rel] = suppression.apply([], context)
        if to_parse:
            _WORKER_STATE.update(project=self, ruleset=ruleset, fix=fix)
            parse = _parallel_map if len(to_parse) >= MIN_FILES_TO_PARSE_IN_PARALLEL else _serial_map
            for (rel, _, _), found in zip(to_parse, parse(_check_in_worker, to_parse, self.jobs)):
                results[rel] = self.fixes.take(self.config.root / rel, found) if fix else found
        fresh = [rel for rel, value in cached_results.items() if value[1] is None]
        for rel in fresh:
            cached_results[rel][1] = [finding.to_json() for finding in results[rel]]
        if fresh:
            known = set(self.entries)
            self.results_cache.save({rel: value for rel, value in cached_results.items() if rel in known})
        return [_for_display(finding, self.config.root) for findings in results.values() for finding in findings]

    def fix(self, files: list[Path], mode: fixer.FixMode) -> list[Finding]:
        """Apply the fixes to ``files`` (only collect them, for --diff, when ``mode.write`` is
        off); the findings on disk afterwards. Fixed files are summarised and checked again, so
        the caches hold their new content and the report is that of a fresh run; the other files
        too if the fixes changed what the index knows across files."""
        findings = self.check(files, fix=mode)
        if not mode.write or not self.fixes.files:
            return findings
        facts = self.index.fingerprint()
        written = self.fixes.write()
        for path in written:
            self.entries[self.config.relative(path)] = _IndexEntry(*_summarize_file(path))
        self._use_entries(save=bool(written))
        if self.index.fingerprint() != facts:
            return self.check(files)
        shown = {display_path(path) for path in written}
        return [finding for finding in findings if finding.path not in shown] + self.check(written)

    def _context(self, rel: str, text: str) -> FileContext:
        return FileContext(rel, text, self.config, self.index)


def _unreadable(stored: dict | None) -> Unreadable | None:
    return Unreadable(stored["reason"], stored["line"], stored["column"]) if stored else None


def _tg000(rel: str, reason: str) -> Finding:
    return engine.unreadable_finding(rel, Unreadable(reason))


def _for_display(finding: Finding, root: Path) -> Finding:
    from dataclasses import replace

    return replace(finding, path=display_path(root / finding.path))


def _read_text(path: Path) -> str:
    # The index step already decoded this file successfully, so this cannot fail but for a
    # race with an editor; an empty text then yields no findings rather than a traceback.
    try:
        return decode_source(path.read_bytes())
    except (OSError, Unreadable):
        return ""


def _summarize_file(path: Path) -> tuple[int, int, str, dict]:
    """(mtime_ns, size, sha256, summary) of one file; unreadable files get an ``unreadable`` entry."""
    try:
        stat = path.stat()
        data = path.read_bytes()
    except OSError as error:
        return (0, 0, "", {"unreadable": {"reason": f"cannot be read ({error.strerror})", "line": 1, "column": 1}})
    sha = hashlib.sha256(data).hexdigest()
    try:
        summary = summarize_source(decode_source(data))
    except Unreadable as error:
        summary = {"unreadable": {"reason": str(error), "line": error.line, "column": error.column}}
    return (stat.st_mtime_ns, stat.st_size, sha, summary)


# Set in the parent before workers fork, so each worker inherits the project and rules once.
_WORKER_STATE: dict = {}


def _check_in_worker(item: tuple[str, str, Unreadable | None]) -> list[Finding] | fixer.FixOutcome:
    rel, text, ast_error = item
    project: Project = _WORKER_STATE["project"]
    context, ruleset, fix = project._context(rel, text), _WORKER_STATE["ruleset"], _WORKER_STATE["fix"]
    if fix:
        return fixer.fix_source(context, ruleset, fix.unsafe, ast_error)
    return engine.check_source(context, ruleset, ast_error)


def _serial_map(function: Callable, items: list, jobs: int) -> list:
    return [function(item) for item in items]


def _parallel_map(function: Callable, items: list, jobs: int) -> list:
    if jobs <= 1 or "fork" not in _start_methods():
        return _serial_map(function, items, jobs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # here: one-file runs never need it

    chunk = max(1, len(items) // (jobs * 4))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(function, items, chunksize=chunk))


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()
