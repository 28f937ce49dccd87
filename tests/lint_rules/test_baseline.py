"""Baselines through `tradeguard check --write-baseline / --baseline`, as a team adopting it runs them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from lint_rules.baseline import fingerprints
from lint_rules.findings import Finding
from tests.conftest import run_cli

STRATEGY = '''\
"""Strategies."""


def momentum(broker, close):
    if close > 1.1:
        return broker.place_order("EUR_USD", "BUY", 1000)
    return None


def fade(gateway, close):
    return gateway.submit("oanda", symbol="EUR_USD", side="SELL", qty=1000)
'''
VIOLATION_LINE = '        return broker.place_order("EUR_USD", "BUY", 1000)\n'


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.tradeguard]\ngateway-paths = ["bot/gateway.py"]\n')
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "strategies.py").write_text(STRATEGY)
    recorded = run_cli("check", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.stderr == "tradeguard: recorded 1 finding in baseline.json\n"
    return tmp_path


def check_against_baseline(project: Path, *args: str):
    return run_cli("check", *args, "--baseline", "baseline.json", "--format", "json", cwd=project)


def edit(project: Path, text: str) -> None:
    (project / "bot" / "strategies.py").write_text(text)


def test_recorded_findings_are_not_reported(project):
    assert run_cli("check", cwd=project).returncode == 1
    done = check_against_baseline(project)
    assert (done.returncode, json.loads(done.stdout), done.stderr) == (0, [], "")


def test_the_baseline_file_is_reviewable_and_stable(project):
    document = json.loads((project / "baseline.json").read_text())
    assert document["tradeguard_baseline"] == 1
    [entry] = document["findings"]
    assert set(entry) == {"code", "path", "message", "fingerprint"}
    assert (entry["code"], entry["path"]) == ("TG101", "bot/strategies.py")
    before = (project / "baseline.json").read_bytes()
    edit(project, "import math\n\n\n" + STRATEGY)
    assert run_cli("check", "--write-baseline", "baseline.json", cwd=project).returncode == 0
    assert (project / "baseline.json").read_bytes() == before


def test_lines_shifted_by_unrelated_edits_stay_baselined(project):
    edit(project, '"""Strategies, now with\nmore\ndocumentation."""\nimport math\n\n\n' + STRATEGY.split("\n", 1)[1])
    done = check_against_baseline(project)
    assert (done.returncode, done.stdout.strip()) == (0, "[]")


def test_a_violation_moved_with_its_code_stays_baselined(project):
    """The function moves below another one and into a class (so its indentation changes too)."""
    head, momentum, fade = STRATEGY.split("\n\n\n")
    edit(project, f"{head}\n\n\n{fade}\n\n\nclass Strategies:\n{textwrap.indent(momentum, '    ')}\n")
    moved = json.loads(run_cli("check", "--format", "json", cwd=project).stdout)
    assert [(f["code"], f["line"]) for f in moved] == [("TG101", 12)]  # was line 6
    done = check_against_baseline(project)
    assert (done.returncode, done.stdout.strip()) == (0, "[]")


def test_a_second_identical_violation_beside_a_baselined_one_is_new(project):
    edit(project, STRATEGY.replace(VIOLATION_LINE, VIOLATION_LINE + VIOLATION_LINE))
    done = check_against_baseline(project)
    assert done.returncode == 1
    [new] = json.loads(done.stdout)
    assert (new["code"], new["path"], new["line"]) == ("TG101", "bot/strategies.py", 7)


def test_a_different_violation_is_new(project):
    edit(project, STRATEGY + "\n\ndef scalp(broker):\n    return broker.place_order('GBP_USD', 'SELL', 1)\n")
    done = check_against_baseline(project)
    assert [(f["code"], f["line"]) for f in json.loads(done.stdout)] == [("TG101", 15)]


def test_baseline_paths_are_relative_to_the_baseline_file(project):
    """Run from a subfolder, the same findings have other display paths but stay baselined."""
    done = run_cli("check", ".", "--baseline", "../baseline.json", cwd=project / "bot")
    assert (done.returncode, done.stdout, done.stderr) == (0, "All checks passed!\n1 finding recorded in the baseline not shown.\n", "")


@pytest.mark.parametrize(("content", "reason"), [
    (b"{", "is not valid JSON"),
    (b"\xff\xfe\x00binary", "is not valid JSON"),
    (b"[]", "is not a tradeguard baseline"),
    (b'{"version": 1, "results": []}', "is not a tradeguard baseline"),
    (b'{"tradeguard_baseline": 99, "findings": []}', "has format 99"),
    (b'{"tradeguard_baseline": 1, "findings": [{"code": "TG101"}]}', "is damaged"),
    (None, "cannot read baseline"),
], ids=["truncated", "binary", "array", "other-tool", "future-format", "no-fingerprint", "missing"])
def test_a_corrupt_baseline_is_exit_2_with_one_line_naming_it(project, content, reason):
    baseline = project / "broken.json"
    if content is not None:
        baseline.write_bytes(content)
    done = run_cli("check", "--baseline", "broken.json", cwd=project)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "broken.json" in done.stderr and reason in done.stderr


def test_baseline_and_write_baseline_exclude_each_other(project):
    done = run_cli("check", "--baseline", "baseline.json", "--write-baseline", "new.json", cwd=project)
    assert done.returncode == 2 and "not allowed with" in done.stderr


def test_fingerprints_tell_files_and_repeats_apart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.py", "b.py"):
        Path(name).write_text("x.place_order()\nx.place_order()\n")
    findings = [Finding("TG101", name, line, 1, line, 16, "m") for name in ("b.py", "a.py") for line in (2, 1)]
    prints = fingerprints(findings, tmp_path)
    assert len(set(prints)) == 4
    # the counter follows the position in the file, whatever order the findings come in
    assert prints == fingerprints(list(reversed(findings)), tmp_path)[::-1]
    assert fingerprints(findings, tmp_path / "sub") != prints  # paths are relative to the root


@pytest.mark.parametrize(("label", "value"), [("code", "TG401"), ("path", "bot/other.py")])
def test_an_entry_labelled_for_another_code_or_file_does_not_silence(project, label, value):
    """A reviewer reads the labels: an entry that says TG401 in another file must not hide a TG101 here."""
    document = json.loads((project / "baseline.json").read_text())
    document["findings"][0][label] = value
    (project / "baseline.json").write_text(json.dumps(document))
    done = check_against_baseline(project)
    assert done.returncode == 1
    assert [(f["code"], f["path"]) for f in json.loads(done.stdout)] == [("TG101", "bot/strategies.py")]


def test_the_configured_baseline_is_used_by_check(project):
    (project / "pyproject.toml").write_text(
        '[tool.tradeguard]\ngateway-paths = ["bot/gateway.py"]\nbaseline = "baseline.json"\n'
    )
    done = run_cli("check", "bot", cwd=project / "bot" / "..")
    assert (done.returncode, done.stdout, done.stderr) == (0, "All checks passed!\n1 finding recorded in the baseline not shown.\n", "")
    edit(project, STRATEGY + "\n\ndef scalp(broker):\n    return broker.place_order('GBP_USD', 'SELL', 1)\n")
    assert run_cli("check", cwd=project).returncode == 1
