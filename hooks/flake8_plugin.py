"""The flake8 plugin: tradeguard's findings in flake8, and so in every editor that runs it.

flake8 hands the plugin one file at a time as text (``lines``: the editor's unsaved buffer when
it reads standard input), so the plugin checks that text with the engine `tradeguard check`
uses, under the ``[tool.tradeguard]`` found from the file upward (flake8 cannot read it), and
honours its ``baseline``. The project index and the results cache are those of `tradeguard
check`, read once per process: one file in an editor still knows the whole project without
re-reading it, and a file whose content `check` has already judged is not parsed again. It
starts no processes of its own (flake8's workers may not have children) and never raises: a
failure becomes ``TG000``.

flake8 owns ``# noqa`` here: a bare ``# noqa`` silences TG codes too, as for any plugin.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from hooks.python_secrets import ScanCache, secret_findings
from lint_rules import __version__, engine, suppression
from lint_rules.baseline import Baseline, BaselineError, load_baseline
from lint_rules.config import Config, ConfigError, load_config
from lint_rules.context import FileContext
from lint_rules.facts import Answers, RecordingIndex
from lint_rules.findings import Finding
from lint_rules.index import ProjectIndex, summarize_source
from lint_rules.runner import INDEX_IDENTITY, Project
from lint_rules.source import MAX_FILE_BYTES, Unreadable, decode_source


@dataclass
class _Workspace:
    """What one configuration needs for every file it governs, built once per process."""

    config: Config
    project: Project
    results: dict = field(default_factory=dict)

    @cached_property
    def ruleset(self) -> engine.RuleSet:
        """Built only for a file that is checked (a warm cache hit needs no rules)."""
        return engine.RuleSet.for_config(self.config)

    @cached_property
    def scans(self) -> ScanCache:
        return ScanCache(self.config)

    @cached_property
    def answers(self) -> Answers:
        identity = self.project.index_identity
        return Answers(self.project.index, self.results.get(INDEX_IDENTITY) == identity, identity)

    @cached_property
    def baseline(self) -> Baseline | None:
        """Raises ``BaselineError`` (every time it is asked) for a configured baseline that cannot be read.
        One not written yet hides nothing, as in `check`."""
        path = self.config.baseline_path
        return load_baseline(path) if path is not None and path.exists() else None

    def index_for(self, rel: str, text: str) -> ProjectIndex:
        """The project index with this file summarised from ``text``, which differs from the disk
        (an unsaved buffer, or a file the index has not seen)."""
        summaries = {**self.project.index.summaries, rel: summarize_source(text)}
        return ProjectIndex.for_config(self.config, summaries)

    def findings(self, rel: str, text: str) -> list[Finding]:
        """The engine's findings of ``text`` as ``rel``: cached if `check` (or this process) has
        judged this content, else checked, and cached when that is safe."""
        sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        entry = self.project.entries.get(rel)
        on_disk = entry is not None and entry.sha == sha
        key = self.project.result_key(rel, sha)
        if on_disk:
            hit = self.project.still_valid(self.results.get(rel), key, self.answers, rel, lambda: text, lambda: self.ruleset)
            if hit is not None:
                return hit
        index = RecordingIndex(self.project.index, self.project.index_identity) if on_disk else RecordingIndex(self.index_for(rel, text))
        context = FileContext(rel, text, self.config, index)
        found = engine.check_source(context, self.ruleset)
        if on_disk:
            self.results[rel] = [key, [finding.to_json() for finding in found], context.index.asked]
            if _may_write_caches():
                self.project.save_results(self.project.load(self.project.results_cache), {rel: [key, found, context.index.asked]})
        return found

    def secret_findings(self, context: FileContext) -> list[Finding]:
        found = secret_findings(context, self.scans)
        if _may_write_caches():
            self.scans.save()
        return found


def _may_write_caches() -> bool:
    """Not in flake8's parallel workers: each would rewrite a whole cache file; `check` fills them."""
    return not multiprocessing.current_process().daemon


@lru_cache(maxsize=64)
def _workspace_for(config: Config) -> _Workspace:
    project = Project(config, jobs=1)
    project.build_index([])
    return _Workspace(config, project, project.load(project.results_cache))


def findings_for(filename: str, text: str, config: Config | None = None) -> list[Finding]:
    """What `tradeguard check` reports for ``text`` as the content of ``filename``, after the
    configured baseline.

    ``filename`` need not exist (flake8's ``stdin``, or an editor's ``--stdin-display-name``);
    the configuration is looked up from its folder unless ``config`` is given.
    """
    path = Path(os.path.abspath(filename))  # `..` resolved before any glob sees the path
    try:
        config = config or load_config(path)
    except ConfigError as error:
        return [engine.unreadable_finding(filename, Unreadable(f"tradeguard config error: {error}"))]
    rel = config.relative(path)
    if config.is_excluded(rel):
        return []
    workspace = _workspace_for(config)
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_FILE_BYTES:
        try:
            decode_source(data)  # raises Unreadable, naming the size and the limit
        except Unreadable as error:
            context = FileContext(rel, "", config, workspace.project.index)
            return suppression.apply([engine.unreadable_finding(rel, error)], context)
    context = FileContext(rel, text, config, workspace.project.index)
    found = sorted([*workspace.findings(rel, text), *workspace.secret_findings(context)], key=Finding.sort_key)
    return _after_baseline(workspace, path, text, found)


def _after_baseline(workspace: _Workspace, path: Path, text: str, found: list[Finding]) -> list[Finding]:
    if not found:
        return found
    try:
        baseline = workspace.baseline
    except BaselineError as error:
        return [engine.unreadable_finding(str(path), Unreadable(f"tradeguard baseline error: {error}"))]
    if baseline is None:
        return found
    # Fingerprints read the finding's lines: from this text (an unsaved buffer), by absolute path.
    absolute = [replace(finding, path=str(path)) for finding in found]
    kept = {id(finding) for finding in baseline.new_findings(absolute, {str(path): text})}
    return [finding for finding, shown in zip(found, absolute) if id(shown) in kept]


class TradeguardChecker:
    """flake8 entry point ``TG``: one instance per file."""

    name = "tradeguard"
    version = __version__

    def __init__(self, tree: object, lines: list[str], filename: str) -> None:
        # `tree` must be accepted for flake8 to treat this as an AST plugin; the engine parses
        # with LibCST, and only files holding a rule's token at all.
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            findings = findings_for(self.filename, "".join(self.lines))
        except Exception as error:  # a plugin that raises stops flake8 for every file
            reason = f"internal error in tradeguard ({type(error).__name__}: {error})"
            findings = [engine.unreadable_finding(self.filename, Unreadable(reason))]
        for finding in findings:
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)
