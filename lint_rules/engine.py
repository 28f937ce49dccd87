"""Checking one file: decide whether it needs parsing, parse it once, run every rule in one walk.

Knows nothing of the file system, caches or processes (see ``runner.py``): it takes text and
returns findings, so the CLI, the flake8 plugin and the fixer all share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lint_rules import suppression
from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.findings import Finding
from lint_rules.lazy import cst
from lint_rules.positions import ranges_of
from lint_rules.rule import Report, Rule
from lint_rules.rules import all_rules
from lint_rules.rules._text import Words
from lint_rules.source import Unreadable, check_bounds
from lint_rules.walk import walk


@dataclass(frozen=True)
class RuleSet:
    """The enabled rules of one configuration, with their token patterns compiled once per run."""

    rules: tuple[type[Rule], ...]
    tokens: tuple[Words | None, ...] = field(repr=False)

    @classmethod
    def for_config(cls, config: Config) -> RuleSet:
        rules = tuple(rule for rule in all_rules() if config.is_code_enabled(rule.code))
        # A rule without tokens must always run.
        return cls(rules, tuple(Words.of(tokens) if (tokens := rule.tokens(config)) else None for rule in rules))

    def rules_for(self, context: FileContext) -> list[type[Rule]]:
        """The rules that could report something in this file: applicable here, and one of their
        tokens occurs in the text. An empty list means the file need not be parsed."""
        return [
            rule
            for rule, tokens in zip(self.rules, self.tokens)
            if (tokens is None or tokens.occur_in(context.text)) and rule.applies_to(context)
        ]

    def named(self, codes: tuple[str, ...]) -> list[type[Rule]]:
        """The enabled rules of ``codes`` (what ``rules_for`` gave, passed on to a worker)."""
        return [rule for rule in self.rules if rule.code in codes]

    def prepare(self, context: FileContext) -> None:
        for rule in self.rules:
            rule.prepare(context)


@dataclass
class Analysis:
    """One parsed file and what its rules reported, for callers that also fix."""

    module: object | None   # libcst.Module, None when the file was not parsed
    reports: list[tuple[Report, Finding]]


def analyze(context: FileContext, ruleset: RuleSet, must_parse: bool = False,
            rules: list[type[Rule]] | None = None) -> Analysis:
    """Parse (only if some rule needs it, or ``must_parse``) and visit once.

    Raises ``Unreadable`` on a syntax error. ``must_parse`` is for files the standard ``ast``
    rejected: only LibCST can tell newer syntax from a real error. ``rules``: what
    ``ruleset.rules_for(context)`` is, when the caller has already asked.
    """
    rules = ruleset.rules_for(context) if rules is None else rules
    if not rules and not must_parse:
        return Analysis(None, [])
    module = parse(context.text)
    instances = [rule(context) for rule in rules]
    try:
        _visit(module, instances)
        raised = [report for instance in instances for report in instance.reports]
        if not raised:
            return Analysis(module, [])
        # Only files with findings pay for positions, and only for the reported nodes.
        positions = ranges_of(module, [report.node for report in raised])
    except RecursionError:  # LibCST walks recursively; absurdly nested generated code ends here
        raise Unreadable("too deeply nested to check") from None
    located = []
    for report in raised:
        where = positions[report.node]
        located.append((report, Finding(
            code=report.code,
            path=context.rel_path,
            line=where.start.line,
            column=where.start.column + 1,
            end_line=where.end.line,
            end_column=where.end.column + 1,
            message=report.message,
            fix=None if report.replacement is None else "safe" if report.fix_is_safe else "unsafe",
        )))
    return Analysis(module, located)


def check_source(context: FileContext, ruleset: RuleSet, ast_error: Unreadable | None = None,
                 rules: list[type[Rule]] | None = None) -> list[Finding]:
    """All findings of one file after suppressions, including TG000 when it cannot be parsed.

    ``ast_error`` is the standard ``ast``'s objection to the file, if any: the file is then
    parsed by LibCST even if no rule needs it, and if LibCST fails too, CPython's wording of
    the error is reported. ``rules``: as for ``analyze``.
    """
    try:
        findings = [finding for _, finding in analyze(context, ruleset, ast_error is not None, rules).reports]
    except InvalidSyntax as error:
        findings = [unreadable_finding(context.rel_path, ast_error or error)]
    except Unreadable as error:
        findings = [unreadable_finding(context.rel_path, error)]
    except Exception as error:  # a bug in a rule must not cost the user the other files' findings
        reason = f"internal error ({type(error).__name__}); please report it with this file's shape"
        findings = [unreadable_finding(context.rel_path, Unreadable(reason))]
    return suppression.apply(findings, context)


class InvalidSyntax(Unreadable):
    """LibCST could not parse the file."""


def unreadable_finding(path: str, error: Unreadable) -> Finding:
    line, column = error.line, error.column
    return Finding("TG000", path, line, column, line, column, f"file could not be checked: {error}")


def parse(text: str):
    check_bounds(text)  # LibCST crashes or runs for minutes on what this refuses
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        reason = re.sub(r"^parser error: error at \d+:\d+: ", "", error.message)
        raise InvalidSyntax(f"syntax error: {reason}", error.raw_line, error.raw_column + 1) from None
    except (RecursionError, MemoryError):
        raise Unreadable("too deeply nested to parse") from None


def _visit(module, rules: list[Rule]) -> None:
    visits: dict[str, list] = {}
    leaves: dict[str, list] = {}
    for rule in rules:
        for name, method in rule.visitor_methods().items():
            kind, node_type = name.split("_", 1)
            (visits if kind == "visit" else leaves).setdefault(node_type, []).append(method)
    walk(module, visits, leaves)
