"""The rule catalog: one module per rule, named after its code."""

from __future__ import annotations

from dataclasses import dataclass
import pkgutil
import re
from pathlib import Path
from functools import lru_cache

from lint_rules.rule import Rule

# A rule module is named after its code: `tg101_order_call.py` holds TG101.
RULE_MODULE = re.compile(r"tg\d{3}_\w+")


def rule_modules() -> list[str]:
    """The rule modules of this package and of its rule-family packages (``results``), found by
    their names (as Fixit discovers rules): a new rule is a new file, with no list to keep."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if RULE_MODULE.fullmatch(info.name):
            found.append(info.name)
        elif info.ispkg:
            family = Path(__path__[0]) / info.name
            found += [f"{info.name}.{inner.name}" for inner in pkgutil.iter_modules([str(family)]) if RULE_MODULE.fullmatch(inner.name)]
    return sorted(found, key=lambda name: name.rsplit(".", 1)[-1])


@lru_cache(maxsize=1)
def documented_rules() -> tuple[type[Rule], ...]:
    """Every code tradeguard reports, with its documentation, in code order."""
    import importlib

    rules = []
    for name in rule_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        rules.extend(
            value for value in vars(module).values()
            # `type(value)` first: touching the lazy `cst` module itself would import LibCST
            if issubclass(type(value), type) and issubclass(value, Rule) and value.__module__ == module.__name__
            and "code" in vars(value)
        )
    return tuple(sorted(rules, key=lambda rule: rule.code))


def all_rules() -> tuple[type[Rule], ...]:
    """The rules the engine runs over parsed trees."""
    return tuple(rule for rule in documented_rules() if rule.visits_tree)


def rule_by_code(code: str) -> type[Rule] | None:
    return next((rule for rule in documented_rules() if rule.code == code.upper()), None)


# Codes reported outside the rule catalog: by the secret scanner (hooks.secrets), documented there.
SCANNER_CODES = ("TG301",)


def known_codes() -> tuple[str, ...]:
    """Every code tradeguard can report, in code order."""
    return tuple(sorted({rule.code for rule in documented_rules()} | set(SCANNER_CODES)))


@dataclass(frozen=True)
class RulePage:
    """A code's documentation, as `tradeguard rule` prints it and SARIF's rule table carries it."""

    code: str
    name: str
    summary: str   # one line
    text: str      # the whole page: what it does, why it matters, example, use instead, options, fix safety


def rule_pages() -> tuple[RulePage, ...]:
    """The pages of the rule catalog's codes (the scanner documents TG301 itself)."""
    return tuple(RulePage(rule.code, rule.name, rule.summary(), rule.documentation()) for rule in documented_rules())
