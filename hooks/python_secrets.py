"""TG301 in Python source, as `tradeguard check` and the flake8 plugin report it.

The secret scanner finds credentials in any text; for Python files the lint surfaces report
them beside the lint findings under the same configuration: TG301 must be selected, and
per-file ignores and ``# noqa: TG301`` on the reported line silence it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from hooks import secrets
from lint_rules import suppression
from lint_rules.baseline import BaselineError, load_baseline
from lint_rules.cache import CacheFile, code_fingerprint
from lint_rules.config import Config, ConfigError, load_config
from lint_rules.context import FileContext
from lint_rules.engine import unreadable_finding
from lint_rules.findings import Finding
from lint_rules.index import ProjectIndex
from lint_rules.runner import display_path
from lint_rules.source import Unreadable, decode_source

SECRET_CODE = "TG301"


def _scan(rel: str, text: str) -> tuple[list[Finding], bool]:
    """What the scanner finds in ``text``, and whether it ran: a scanner that fails on a file
    gives TG000 for it (not a traceback), and the lint findings are still reported."""
    from hooks.secrets.precheck import could_hold_secret  # here: a file found in the cache needs no scan

    if not could_hold_secret(text, text.lower()):  # most files: the scanner is never loaded
        return [], True
    try:
        return secrets.scan_text(rel, text), True
    except Exception as error:  # its message could quote the text scanned: name the type only
        reason = f"secret scan failed: internal error ({type(error).__name__})"
        return [unreadable_finding(rel, Unreadable(reason))], False


class ScanCache:
    """What the scanner found in each Python file, by its content (``.tradeguard_cache/secrets``;
    findings name the kind of credential, never its value), shared by `check` and the flake8
    plugin: a file already scanned is not scanned again."""

    def __init__(self, config: Config, use_cache: bool = True) -> None:
        self.file = CacheFile(config.root, "secrets", enabled=use_cache)
        self.stored = self.file.load()
        self.fresh: dict[str, list] = {}
        self.scanner = code_fingerprint(Path(secrets.__file__).parent)

    def findings(self, rel: str, data: bytes, text: str) -> list[Finding]:
        """The scanner's findings of ``text`` (``data`` decoded) as ``rel``, before suppressions."""
        key = hashlib.sha256(f"{self.scanner}:{rel}:".encode("utf-8", "surrogatepass") + data).hexdigest()[:24]
        try:
            stored_key, stored = self.stored.get(rel) or (None, None)
            if stored_key == key:
                return [Finding.from_json(item) for item in stored]
        except (TypeError, ValueError, KeyError, AttributeError):  # an entry of another shape: scan again
            pass
        found, scanned = _scan(rel, text)
        if scanned:
            self.fresh[rel] = [key, [finding.to_json() for finding in found]]
        return found

    def save(self) -> None:
        if self.fresh:
            self.file.save({**self.stored, **self.fresh})
            self.stored, self.fresh = {**self.stored, **self.fresh}, {}


def secret_findings(context: FileContext, cache: ScanCache | None = None) -> list[Finding]:
    """TG301 findings of one Python file's text, after the configuration and suppressions;
    looked up in ``cache`` first, if given (the caller saves it)."""
    if not context.config.is_code_enabled(SECRET_CODE):
        return []
    if cache is None:
        found = _scan(context.rel_path, context.text)[0]
    else:
        found = cache.findings(context.rel_path, context.text.encode("utf-8", "surrogatepass"), context.text)
    return suppression.unsuppressed(found, context)


def secret_findings_in_files(checked: list[tuple[Config, list[Path]]], use_cache: bool = True) -> Iterator[Finding]:
    """TG301 findings of files on disk, each governed by its configuration, with display paths.

    Cached by content (see ``ScanCache``), so a warm run over a large project scans only the
    files that changed. A file that cannot be decoded is skipped: the lint run reports it as TG000.
    """
    for config, files in checked:
        if not config.is_code_enabled(SECRET_CODE):
            continue
        cache = ScanCache(config, use_cache)
        empty_index = ProjectIndex.for_config(config)
        for path in files:
            try:
                data = path.read_bytes()
                text = decode_source(data)
            except (OSError, Unreadable):
                continue
            rel = config.relative(path)
            context = FileContext(rel, text, config, empty_index)
            for finding in suppression.unsuppressed(cache.findings(rel, data, text), context):
                yield replace(finding, path=display_path(path))
        cache.save()


PYTHON_SUFFIXES = (".py", ".pyi")


def without_lint_baselined(findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` of the secret scanner minus the TG301 findings in Python files that the lint
    baseline of their ``[tool.tradeguard]`` records: `tradeguard check --write-baseline`
    records keys in Python files too, and a key accepted there must not block `secrets`.

    A configuration or baseline that cannot be read accepts nothing here (`check` reports it).
    """
    by_config: dict[Path | None, list[Finding]] = {}
    configs: dict[Path | None, Config] = {}
    kept: list[Finding] = []
    for finding in findings:
        if finding.code != SECRET_CODE or not finding.path.endswith(PYTHON_SUFFIXES):
            kept.append(finding)
            continue
        try:
            config = load_config(Path(finding.path))
        except ConfigError:
            kept.append(finding)
            continue
        configs.setdefault(config.source, config)
        by_config.setdefault(config.source, []).append(finding)
    for source, governed in by_config.items():
        kept += _not_in_baseline(governed, configs[source].baseline_path)
    return sorted(kept, key=Finding.sort_key)


def _not_in_baseline(findings: list[Finding], baseline_file: Path | None) -> list[Finding]:
    if baseline_file is None or not baseline_file.is_file():
        return findings
    try:
        return load_baseline(baseline_file).new_findings(findings)
    except BaselineError:
        return findings
