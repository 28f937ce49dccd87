"""Running a rule's own VALID / INVALID examples: the test suite and the docs share them."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

from lint_rules.findings import Finding
from lint_rules.fixer import FixMode
from lint_rules.rule import Invalid, Rule, Valid
from lint_rules.runner import check_paths


def write_example_project(root: Path, example: Valid | Invalid) -> Path:
    """Lay out a small project holding the example (and its companion files); return the file."""
    table = "\n".join(f"{key} = {_toml_value(value)}" for key, value in example.config.items())
    (root / "pyproject.toml").write_text(f"[tool.tradeguard]\n{table}\n", encoding="utf-8")
    tomllib.loads((root / "pyproject.toml").read_text())  # an example with a bad config is a bug
    for rel, code in {**example.files, example.path: example.code}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example_text(code), encoding="utf-8")
    return root / example.path


def example_text(code: str) -> str:
    """An example's code (or expected fix) as the file holds it."""
    return textwrap.dedent(code).lstrip("\n")


def findings_for(rule: type[Rule], root: Path, example: Valid | Invalid) -> list[Finding]:
    """What ``rule`` reports on the example, checked the way `tradeguard check` does."""
    path = write_example_project(root, example)
    result = check_paths([path], select=(rule.code,), use_cache=False)
    return [finding for finding in result.findings if finding.code == rule.code]


def fix_example(rule: type[Rule], root: Path, example: Invalid) -> str:
    """The example's file, laid out in ``root``, after `tradeguard check --fix --unsafe-fixes
    --select CODE`."""
    return fix_file(rule, write_example_project(root, example))


def fix_file(rule: type[Rule], path: Path) -> str:
    """``path`` after `tradeguard check --fix --unsafe-fixes --select CODE`, as it now is."""
    check_paths([path], select=(rule.code,), use_cache=False, fix=FixMode(unsafe=True))
    return path.read_text(encoding="utf-8")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
