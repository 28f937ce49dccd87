"""The flake8 plugin: tradeguard's findings in flake8, and so in every editor that runs it.

flake8 hands the plugin one file at a time as text (``lines``: the editor's unsaved buffer when
it reads standard input), so the plugin checks that text with the engine `tradeguard check`
uses, under the ``[tool.tradeguard]`` found from the file upward (flake8 cannot read it). The
project index is built once per process from its on-disk cache, so one file in an editor still
knows the whole project without re-reading it. It never raises: a failure becomes ``TG000``.

flake8 owns ``# noqa`` here: a bare ``# noqa`` silences TG codes too, as for any plugin.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hooks.python_secrets import secret_findings
from lint_rules import __version__, engine, suppression
from lint_rules.config import Config, ConfigError, load_config
from lint_rules.context import FileContext
from lint_rules.findings import Finding
from lint_rules.index import ProjectIndex, summarize_source
from lint_rules.runner import Project
from lint_rules.source import MAX_FILE_BYTES, Unreadable, decode_source


@dataclass
class _Workspace:
    """What one configuration needs for every file it governs, built once per process."""

    config: Config
    project: Project
    ruleset: engine.RuleSet

    def index_for(self, rel: str, data: bytes, text: str) -> ProjectIndex:
        """The project index, with this file summarised from ``text`` where it differs from
        the disk (an unsaved buffer, or a file the index has not seen)."""
        entry = self.project.entries.get(rel)
        if entry is not None and entry.sha == hashlib.sha256(data).hexdigest():
            return self.project.index
        summaries = {**self.project.index.summaries, rel: summarize_source(text)}
        return ProjectIndex.for_config(self.config, summaries)


@lru_cache(maxsize=64)
def _workspace_for(config: Config) -> _Workspace:
    project = Project(config)
    project.build_index([])
    return _Workspace(config, project, engine.RuleSet.for_config(config))


def findings_for(filename: str, text: str, config: Config | None = None) -> list[Finding]:
    """What `tradeguard check` reports for ``text`` as the content of ``filename``.

    ``filename`` need not exist (flake8's ``stdin``, or an editor's ``--stdin-display-name``);
    the configuration is looked up from its folder unless ``config`` is given.
    """
    path = Path(filename).absolute()
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
    context = FileContext(rel, text, config, workspace.index_for(rel, data, text))
    return sorted([*engine.check_source(context, workspace.ruleset), *secret_findings(context)], key=Finding.sort_key)


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
