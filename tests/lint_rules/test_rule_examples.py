"""Every rule's own VALID and INVALID examples, run through the engine as `tradeguard check` runs."""

import pytest

from lint_rules.examples import example_text, findings_for, fix_example, fix_file
from lint_rules.rules import all_rules, documented_rules

CASES = [
    pytest.param(rule, kind, example, id=f"{rule.code}-{kind}-{number}")
    for rule in all_rules()
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for number, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "kind", "example"), CASES)
def test_example(rule, kind, example, tmp_path):
    findings = findings_for(rule, tmp_path, example)
    if kind == "valid":
        assert findings == [], f"{rule.code} reported valid code:\n{example.code}"
        return
    assert len(findings) == example.count, f"{rule.code} should report {example.count}x:\n{example.code}\ngot {findings}"
    assert findings[0].line == example.line
    if example.message:
        assert example.message in findings[0].message
    # The fix (`--fix --unsafe-fixes`): exactly `expected_fix`, or no change where there is none;
    # a second run changes nothing.
    expected = example_text(example.expected_fix if example.expected_fix is not None else example.code)
    fixed = fix_example(rule, tmp_path, example)
    assert fixed == expected, f"{rule.code} fix of:\n{example_text(example.code)}\ngave:\n{fixed}\nexpected:\n{expected}"
    assert fix_file(rule, tmp_path / example.path) == fixed, f"{rule.code}: a second fix changed the file again"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_has_examples_both_ways(rule):
    assert rule.VALID and rule.INVALID


@pytest.mark.parametrize("rule", documented_rules(), ids=lambda rule: rule.code)
def test_rule_docs_have_ruff_sections(rule):
    doc = rule.documentation()
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options", "## Fix safety"):
        assert section in doc, f"{rule.code} docs lack {section!r}"


def test_rules_are_discovered_from_their_files():
    import re
    from pathlib import Path

    import lint_rules.rules as package
    from lint_rules.rules import rule_modules

    folder = Path(package.__file__).parent
    # rule files of the package and of its family packages (`results/` holds TG201-TG205)
    files = sorted(
        (path.relative_to(folder).with_suffix("").as_posix().replace("/", ".") for path in folder.glob("**/tg[0-9][0-9][0-9]_*.py")),
        key=lambda name: name.rsplit(".", 1)[-1],
    )
    assert rule_modules() == files
    for rule in documented_rules():
        number = re.fullmatch(r"TG(\d{3})", rule.code).group(1)
        assert rule.__module__.rsplit(".", 1)[-1].startswith(f"tg{number}_"), f"{rule.code} lives in {rule.__module__}"
    assert len({rule.code for rule in documented_rules()}) == len(files)
