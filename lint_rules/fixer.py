"""Applying the replacements rules report: `tradeguard check --fix`, `--diff`, `--unsafe-fixes`.

A rule offers a fix by reporting ``replacement=`` (a LibCST node to put where the reported node
is), ``fix_is_safe=`` (whether behaviour stays the same) and, if the new code names something the
file does not import yet, ``imports=`` (import statements to add once). Per file (``fix_source``,
run where the file is checked, in worker processes when there are many):

1. the file is parsed and checked once; the findings that survive per-file ignores and
   ``# noqa`` give the fixes to apply (unsafe ones only when asked);
2. the reported nodes are replaced by identity in that tree, in one transform; a fix inside the
   node of another fix waits for the next pass (the outer one was built from the old children);
3. the new text is parsed and checked again: if it does not parse, the file is left unchanged
   with a one-line reason; otherwise the next pass starts from it, until nothing is left to fix.

The runner (``Project.fix``) collects the outcomes in a ``FixReport``, which writes the files
atomically, in their own encoding (PEP 263 cookie or BOM) and with their permissions; the runner
then checks the written files afresh. Line endings need no care: the text is never
newline-translated, LibCST keeps every line's ending, and the lines a fix adds get the module's.
"""

from __future__ import annotations

import io
import keyword
import os
import re
import stat
import tokenize
from collections import ChainMap
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from lint_rules import engine, suppression
from lint_rules.config import Config, ConfigError
from lint_rules.context import FileContext
from lint_rules.findings import Finding
from lint_rules.index import summarize_source
from lint_rules.lazy import cst
from lint_rules.rule import Report
from lint_rules.source import Unreadable, decode_source

# Each pass applies every fix that does not sit inside another one, so the passes needed grow
# only with the nesting of fixes (`a.place_order(b.place_order(x))` takes two).
MAX_PASSES = 10


@dataclass(frozen=True)
class FixMode:
    unsafe: bool = False   # also apply fixes that change behaviour
    write: bool = True     # False for --diff: compute the fixes, change nothing


@dataclass(frozen=True)
class FixOutcome:
    """What fixing one file came to; picklable, as it comes back from a worker."""

    before: str
    after: str | None           # None: nothing to change (or the fixes were refused)
    findings: list[Finding]     # of ``before``, after suppressions
    fixes: int = 0              # findings fixed
    unsafe_left: int = 0        # fixes not applied because they are unsafe
    problem: str | None = None  # why the file was left unchanged


@dataclass
class FixedFile:
    path: Path
    before: str
    after: str
    fixes: int


@dataclass
class FixReport:
    """The fixes of a run: the files they change, the unsafe ones held back, the files left alone."""

    files: list[FixedFile] = field(default_factory=list)
    unsafe_left: int = 0
    problems: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def fixes(self) -> int:
        return sum(fixed.fixes for fixed in self.files)

    def take(self, path: Path, outcome: FixOutcome) -> list[Finding]:
        """Record one file's outcome; its findings as they stand before the fix."""
        self.unsafe_left += outcome.unsafe_left
        if outcome.problem:
            self.problems.append((path, outcome.problem))
        elif outcome.after is not None:
            self.files.append(FixedFile(path, outcome.before, outcome.after, outcome.fixes))
        return outcome.findings

    def write(self) -> list[Path]:
        """Write the fixed files; those that cannot be written move to ``problems``."""
        written = []
        for fixed in list(self.files):
            problem = write_source(fixed.path, fixed.before, fixed.after)
            if problem:
                self.files.remove(fixed)
                self.problems.append((fixed.path, problem))
            else:
                written.append(fixed.path)
        return written

    def add(self, other: FixReport) -> None:
        self.files.extend(other.files)
        self.unsafe_left += other.unsafe_left
        self.problems.extend(other.problems)


# --- [tool.tradeguard.fix] ------------------------------------------------------------------

DEFAULT_ROUTE_CALL = "tradeguard.route"
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


@dataclass(frozen=True)
class FixSettings:
    route_call: str = DEFAULT_ROUTE_CALL   # `module.function` the TG101 fix calls


def fix_settings(config: Config) -> FixSettings:
    """``[tool.tradeguard.fix]``, validated; a ConfigError names the bad key."""
    table = config.sections.get("fix", {})
    where = f"{config.source}: tool.tradeguard.fix"
    for key, value in table.items():
        if key != "route-call":
            raise ConfigError(f"{where}: unknown key {key!r} (known: route-call)")
        if not (isinstance(value, str) and _DOTTED_NAME.fullmatch(value)) or any(
            keyword.iskeyword(part) for part in value.split(".")
        ):
            raise ConfigError(
                f"{where}.route-call must be a dotted name `module.function` (e.g. \"bot.execution.gateway.route\"), got {value!r}"
            )
    return FixSettings(route_call=table.get("route-call", DEFAULT_ROUTE_CALL))


# --- one file -------------------------------------------------------------------------------

def fix_source(context: FileContext, ruleset: engine.RuleSet, unsafe: bool, ast_error: Unreadable | None = None) -> FixOutcome:
    """Fix one file's text as far as its findings allow; nothing is written here."""
    try:
        analysis = engine.analyze(context, ruleset, must_parse=ast_error is not None)
    except Unreadable as error:
        return FixOutcome(context.text, None, suppression.apply([engine.unreadable_finding(context.rel_path, ast_error or error)], context))
    findings, fixes, unsafe_left = _triage(analysis, context, unsafe)
    before, applied = context.text, 0
    for _ in range(MAX_PASSES):
        module, count = _apply(analysis.module, fixes) if fixes else (None, 0)
        text = module.code if count else context.text
        if text == context.text:  # nothing (more) to fix
            return FixOutcome(before, text if applied else None, findings, applied, unsafe_left)
        context = _with_text(context, text)
        try:
            analysis = engine.analyze(context, ruleset, must_parse=True)
        except Unreadable as error:
            rules = ", ".join(sorted({report.code for report in fixes}))
            return FixOutcome(before, None, findings, problem=f"a fix of {rules} would not parse ({error}); file left unchanged")
        applied += count
        fixes, unsafe_left = _triage(analysis, context, unsafe)[1:]
    return FixOutcome(before, None, findings, problem=f"fixes still changing the file after {MAX_PASSES} passes; file left unchanged")


def _triage(analysis: engine.Analysis, context: FileContext, unsafe: bool) -> tuple[list[Finding], list[Report], int]:
    """The findings that survive suppressions; the fixes to apply; the unsafe fixes held back.
    A suppressed or per-file-ignored finding is never fixed."""
    findings = suppression.apply([finding for _, finding in analysis.reports], context)
    kept = set(findings)
    fixable = [report for report, finding in analysis.reports if report.replacement is not None and finding in kept]
    to_apply = [report for report in fixable if unsafe or report.fix_is_safe]
    return findings, to_apply, len(fixable) - len(to_apply)


def _with_text(context: FileContext, text: str) -> FileContext:
    """The context of the fixed text, for the next pass. Its own index entry is summarised again
    (a fix may add imports that rules consult); the rest of the index, and what was derived from
    it, is shared rather than rebuilt: the findings reported after a fix come from a fresh check
    of the written file, this only decides further fixes."""
    index = context.index
    summaries = ChainMap({context.rel_path: summarize_source(text)}, index.summaries)
    return FileContext(context.rel_path, text, context.config, replace(index, summaries=summaries))


def _apply(module, reports: list[Report]):
    """The module with the reported nodes replaced, and how many were; then the imports the
    applied fixes need, each added once."""
    replacer = _replacer_class()({})
    for report in reports:
        replacer.replacements.setdefault(id(report.node), report)
    fixed = module.visit(replacer)
    imports = list(dict.fromkeys(statement for report in replacer.applied for statement in report.imports))
    if imports:
        fixed = add_imports(fixed, imports)
    return fixed, len(replacer.applied)


@lru_cache(maxsize=1)
def _replacer_class():
    """Built on first use so that importing this module does not import LibCST."""

    class Replacer(cst.CSTTransformer):
        def __init__(self, replacements: dict[int, Report]) -> None:
            super().__init__()
            self.replacements = replacements   # id(original node) -> its report
            self.applied: list[Report] = []

        def on_visit(self, node) -> bool:
            # A replaced node's children are not visited: the replacement was built from them
            # as they were, so a fix inside it waits for the next pass.
            return id(node) not in self.replacements

        def on_leave(self, original_node, updated_node):
            report = self.replacements.get(id(original_node))
            if report is None:
                return updated_node
            self.applied.append(report)
            return report.replacement

    return Replacer


def add_imports(module, statements: list[str]):
    """``statements`` (``import x`` / ``from x import y``) added at the top of the module: after
    its docstring and its leading imports (``__future__`` ones included), in its own newlines.
    A statement the module already has at its top level is not added again."""
    body = list(module.body)
    position = 1 if body and _is_docstring(body[0]) else 0
    after_docstring = position
    while position < len(body) and _is_import_line(body[position]):
        position += 1
    present = {_import_code(small) for line in body if _is_import_line(line) for small in line.body}
    new = [line for line in map(cst.parse_statement, statements) if _import_code(line.body[0]) not in present]
    if not new:
        return module
    if position == after_docstring and position > 0:   # first import after a docstring: a blank line between
        new[0] = new[0].with_changes(leading_lines=[cst.EmptyLine()])
    if position < len(body) and not _is_import_line(body[position]) and not body[position].leading_lines:
        body[position] = body[position].with_changes(leading_lines=[cst.EmptyLine()])
    return module.with_changes(body=[*body[:position], *new, *body[position:]])


def _import_code(statement) -> str:
    return cst.Module([]).code_for_node(statement.with_changes(semicolon=cst.MaybeSentinel.DEFAULT))


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_import_line(statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


# --- writing and showing --------------------------------------------------------------------

def write_source(path: Path, before: str, after: str) -> str | None:
    """Replace ``path``'s text ``before`` by ``after``: atomically (a temporary file renamed over
    it), in the file's encoding and with its permission bits. Returns why not, or None."""
    try:
        data = path.read_bytes()
        unchanged = decode_source(data) == before
    except (OSError, Unreadable):
        unchanged = False
    if not unchanged:
        return "changed on disk while it was being fixed; left unchanged"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)   # "utf-8-sig" keeps a BOM
        encoded = after.encode(encoding)
    except (SyntaxError, UnicodeEncodeError) as error:
        return f"the fixed text cannot be written in the file's encoding ({error}); left unchanged"
    try:
        reads_back = decode_source(encoded) == after   # as `check` reads it, cookie and all
    except Unreadable:
        reads_back = False
    if not reads_back:
        return "the fixed text would not read back the same; left unchanged"
    import tempfile  # here: every check imports this module, few write fixes

    folder = path.parent
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tradeguard-fix")
    except OSError as error:
        return f"cannot write ({error.strerror}); left unchanged"
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(encoded)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return f"cannot write ({error.strerror}); left unchanged"
    return None


def unified_diff(display: str, before: str, after: str) -> str:
    """A unified diff of one file, as `patch -p0` takes it."""
    import difflib  # only --diff needs it

    lines = difflib.unified_diff(_lines(before), _lines(after), fromfile=display, tofile=display)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines would also split on form feeds and U+2028 in strings.
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def fix_paths(paths, *, unsafe: bool = False, **options) -> list[Path]:
    """Apply the fixes to files and folders, as `tradeguard check --fix` does; the files changed.
    ``options`` are those of ``runner.check_paths`` (select, ignore, use_cache, jobs)."""
    from lint_rules.runner import check_paths   # the runner drives this module

    result = check_paths(paths, fix=FixMode(unsafe=unsafe), **options)
    return [fixed.path for fixed in result.fixes.files]
