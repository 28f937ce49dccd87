"""`tradeguard check --fix / --diff / --unsafe-fixes` on real files: what changes, what must not,
and how the bytes of a fixed file come out (encoding, BOM, line endings, permissions).

Each rule's own before/after examples (`expected_fix`) run in test_rule_examples.py; here are the
framework's guarantees, the CLI, the example project and a generated corpus."""

import compileall
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lint_rules import fixer
from lint_rules.config import Config, ConfigError
from lint_rules.context import FileContext
from lint_rules.engine import RuleSet
from lint_rules.index import ProjectIndex
from lint_rules.lazy import cst
from lint_rules.rule import Rule
from lint_rules.rules._text import Words
from lint_rules.runner import check_paths
from tests.conftest import REPO, run_cli

STRATEGY = '''\
"""Buys on the signal; see broker.place_order(symbol, qty) in the connector docs."""

import logging


def on_signal(broker, signal):
    # broker.place_order(signal.symbol, 1) was the old way
    logging.info("buy %s", signal.symbol)
    return broker.place_order(signal.symbol, signal.qty, tag="place_order")
'''
STRATEGY_FIXED = '''\
"""Buys on the signal; see broker.place_order(symbol, qty) in the connector docs."""

import logging
import tradeguard


def on_signal(broker, signal):
    # broker.place_order(signal.symbol, 1) was the old way
    logging.info("buy %s", signal.symbol)
    return tradeguard.route(broker, signal.symbol, signal.qty, tag="place_order")
'''


def write_project(root: Path, files: dict, config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f"[tool.tradeguard]\n{config}\n")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def snapshot(root: Path) -> dict:
    """Every file's bytes and modification time, to prove nothing was written."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*.py"))
    }


# --- the CLI --------------------------------------------------------------------------------

def test_diff_shows_the_fix_changes_nothing_and_applies_as_a_patch(tmp_path):
    project = write_project(tmp_path / "proj", {"bot/strategy.py": STRATEGY})
    before = snapshot(project)
    done = run_cli("check", "--diff", "--unsafe-fixes", "proj", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("--- proj/bot/strategy.py\n+++ proj/bot/strategy.py\n@@ ")
    assert "+import tradeguard\n" in done.stdout
    assert "+    return tradeguard.route(broker, signal.symbol, signal.qty, tag=\"place_order\")\n" in done.stdout
    assert snapshot(project) == before
    # The diff is the fix: applied by `patch`, it gives what --fix writes.
    subprocess.run(["patch", "-p0", "--quiet"], input=done.stdout, text=True, cwd=tmp_path, check=True)
    assert (project / "bot/strategy.py").read_text() == STRATEGY_FIXED


def test_diff_without_unsafe_fixes_shows_nothing_and_says_what_is_held_back(tmp_path):
    write_project(tmp_path, {"strategy.py": STRATEGY})
    done = run_cli("check", "--diff", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "")
    assert "1 unsafe fix not applied" in done.stderr and "--diff --unsafe-fixes" in done.stderr


def test_fix_without_unsafe_fixes_reports_the_finding_and_the_held_back_fix(tmp_path):
    write_project(tmp_path, {"strategy.py": STRATEGY})
    done = run_cli("check", "--fix", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith("strategy.py:9:12: TG101 ")
    assert done.stdout.splitlines()[-1].startswith("1 unsafe fix not applied (they change behaviour)")
    assert (tmp_path / "strategy.py").read_text() == STRATEGY


def test_fix_unsafe_fixes_then_a_second_run_changes_nothing(tmp_path):
    write_project(tmp_path, {"strategy.py": STRATEGY, "other.py": "x = 1\n"})
    done = run_cli("check", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "All checks passed!\nFixed 1 finding in 1 file.\n"), done.stderr
    assert done.stderr == "tradeguard: fixed strategy.py (1 finding)\n"
    assert (tmp_path / "strategy.py").read_text() == STRATEGY_FIXED
    again = snapshot(tmp_path)
    done = run_cli("check", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "All checks passed!\n", "")
    assert snapshot(tmp_path) == again


def test_fix_reports_what_remains_and_exits_1(tmp_path):
    code = "def go(broker, pool):\n    pool.submit(broker.place_order, 'EUR_USD', 1)\n    return broker.place_order('EUR_USD', 1)\n"
    write_project(tmp_path, {"strategy.py": code})
    done = run_cli("check", "--fix", "--unsafe-fixes", "--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert [(f["code"], f["line"]) for f in json.loads(done.stdout)] == [("TG102", 4)]  # the import moved it down
    assert done.stderr == "tradeguard: fixed strategy.py (1 finding)\nFixed 1 finding in 1 file.\n"


def test_flag_misuse_and_a_bad_fix_table_are_one_line_errors(tmp_path):
    write_project(tmp_path, {"strategy.py": STRATEGY}, '[tool.tradeguard.fix]\nroute-cal = "bot.gw.route"\n')
    done = run_cli("check", "--fix", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("tool.tradeguard.fix: unknown key 'route-cal' (known: route-call)")
    assert len(done.stderr.splitlines()) == 1
    done = run_cli("check", "--unsafe-fixes", ".", cwd=tmp_path)
    assert done.returncode == 2 and "--unsafe-fixes goes with --fix or --diff" in done.stderr


@pytest.mark.parametrize("value", ["route", "bot.gateway.", "bot.class.route", 3])
def test_route_call_must_be_a_dotted_function_name(tmp_path, value):
    setting = json.dumps(value)
    write_project(tmp_path, {"a.py": "x = 1\n"}, f"[tool.tradeguard.fix]\nroute-call = {setting}\n")
    with pytest.raises(ConfigError, match=r"tool\.tradeguard\.fix\.route-call must be a dotted name"):
        check_paths([tmp_path], use_cache=False)


# --- what fixes must not touch ---------------------------------------------------------------

def test_fixes_leave_suppressed_ignored_excluded_gateway_and_connector_code_alone(tmp_path):
    call = "def go(broker):\n    return broker.place_order('EUR_USD', 1)\n"
    files = {
        "archive/old.py": call,
        "tests/test_orders.py": call,
        "bot/gateway.py": call,
        "bot/connectors/paper.py": call,
        "bot/strategy.py": (
            '"""Calls broker.place_order(...) twice."""\n\n\n'
            "def go(broker):\n"
            "    broker.place_order('A', 1)  # noqa: TG101 -- replayed against the paper broker\n"
            "    text = 'broker.place_order(x)'  # broker.place_order(y)\n"
            "    return broker.place_order('B', 2)\n"
        ),
    }
    config = (
        'exclude = ["archive/**"]\ngateway-paths = ["bot/gateway.py"]\nconnector-paths = ["bot/connectors/**"]\n'
        '[tool.tradeguard.per-file-ignores]\n"tests/**" = ["TG101"]\n'
    )
    write_project(tmp_path, files, config)
    before = snapshot(tmp_path)
    changed = fixer.fix_paths([tmp_path], unsafe=True, use_cache=False)
    assert changed == [tmp_path / "bot/strategy.py"]
    assert {rel: value for rel, value in snapshot(tmp_path).items() if rel != "bot/strategy.py"} == {
        rel: value for rel, value in before.items() if rel != "bot/strategy.py"
    }
    assert (tmp_path / "bot/strategy.py").read_text() == (
        '"""Calls broker.place_order(...) twice."""\n\nimport tradeguard\n\n\n'
        "def go(broker):\n"
        "    broker.place_order('A', 1)  # noqa: TG101 -- replayed against the paper broker\n"
        "    text = 'broker.place_order(x)'  # broker.place_order(y)\n"
        "    return tradeguard.route(broker, 'B', 2)\n"
    )


# --- the bytes of a fixed file ---------------------------------------------------------------

CALL = "broker.place_order(1)"
ROUTE = "tradeguard.route(broker, 1)"


@pytest.mark.parametrize(("original", "expected"), [
    pytest.param(
        f'"""Prix en \u20ac."""\r\nname = "caf\u00e9"\r\n{CALL}\r\n'.encode(),
        f'"""Prix en \u20ac."""\r\n\r\nimport tradeguard\r\n\r\nname = "caf\u00e9"\r\n{ROUTE}\r\n'.encode(),
        id="crlf-utf8",
    ),
    pytest.param(
        f'\ufeff# r\u00e9sum\u00e9\nname = "\u00fc"\n{CALL}\n'.encode(),
        f'\ufeff# r\u00e9sum\u00e9\nimport tradeguard\n\nname = "\u00fc"\n{ROUTE}\n'.encode(),
        id="bom",
    ),
    pytest.param(
        f"# -*- coding: latin-1 -*-\nname = 'caf\u00e9'\n{CALL}\n".encode("latin-1"),
        f"# -*- coding: latin-1 -*-\nimport tradeguard\n\nname = 'caf\u00e9'\n{ROUTE}\n".encode("latin-1"),
        id="latin-1-cookie",
    ),
    pytest.param(
        f"x = 1\n{CALL}".encode(),
        f"import tradeguard\n\nx = 1\n{ROUTE}".encode(),
        id="no-final-newline",
    ),
    pytest.param(
        f"x = 1\r\ny = 2\n{CALL}\r\n".encode(),
        f"import tradeguard\r\n\r\nx = 1\r\ny = 2\n{ROUTE}\r\n".encode(),
        id="mixed-endings",
    ),
])
def test_encoding_bom_and_line_endings_are_kept(tmp_path, original, expected):
    write_project(tmp_path, {"a.py": original})
    assert fixer.fix_paths([tmp_path], unsafe=True, use_cache=False) == [tmp_path / "a.py"]
    assert (tmp_path / "a.py").read_bytes() == expected
    assert fixer.fix_paths([tmp_path], unsafe=True, use_cache=False) == []


@pytest.mark.parametrize("mode", [0o640, 0o755])
def test_permissions_are_kept_and_no_temporary_file_is_left(tmp_path, mode):
    write_project(tmp_path, {"a.py": CALL + "\n"})
    (tmp_path / "a.py").chmod(mode)
    fixer.fix_paths([tmp_path], unsafe=True, use_cache=False)
    assert (tmp_path / "a.py").stat().st_mode & 0o777 == mode
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.py", "pyproject.toml"]


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 2\n")
    assert fixer.write_source(path, "x = 1\n", "y = 1\n") == "changed on disk while it was being fixed; left unchanged"
    assert path.read_text() == "x = 2\n"


def test_text_the_declared_encoding_cannot_hold_is_not_written(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"# coding: latin-1\nx = 1\n")
    problem = fixer.write_source(path, "# coding: latin-1\nx = 1\n", "# coding: latin-1\nx = '\u20ac'\n")
    assert problem.startswith("the fixed text cannot be written in the file's encoding")
    assert path.read_bytes() == b"# coding: latin-1\nx = 1\n"


# --- caches and workers ----------------------------------------------------------------------

def test_the_result_cache_follows_the_fixed_content(tmp_path):
    write_project(tmp_path, {"strategy.py": STRATEGY})
    assert [f.code for f in check_paths([tmp_path]).findings] == ["TG101"]
    fixer.fix_paths([tmp_path], unsafe=True)
    assert check_paths([tmp_path]).findings == []
    (tmp_path / "strategy.py").write_text(STRATEGY)   # e.g. `git checkout` of the old version
    assert [f.code for f in check_paths([tmp_path]).findings] == ["TG101"]


def test_findings_after_a_fix_are_those_of_a_fresh_check_also_across_files(tmp_path):
    # Fixing the helper makes it return `tradeguard.route(...)`, a canonical result, which the
    # connector in the other file returns: a fact of the index that the fix changed.
    write_project(tmp_path, {
        "bot/strategies/helpers.py": "def send(broker, qty):\n    return broker.place_order('EUR_USD', qty)\n",
        "bot/connectors/replay.py": (
            "from bot.strategies.helpers import send\n\n\nclass ReplayConnector:\n"
            "    def place_order(self, symbol, qty):\n        return send(self.inner, qty)\n"
        ),
    }, 'connector-paths = ["bot/connectors/**"]')
    check_paths([tmp_path])  # caches as a previous run left them
    fixed = check_paths([tmp_path], fix=fixer.FixMode(unsafe=True))
    assert [path.name for path in fixer.fix_paths([tmp_path], unsafe=True)] == []
    assert [fixed_file.path.name for fixed_file in fixed.fixes.files] == ["helpers.py"]
    assert fixed.findings == check_paths([tmp_path], use_cache=False).findings == check_paths([tmp_path]).findings


def test_many_files_are_fixed_in_worker_processes(tmp_path):
    files = {f"strategies/s{number}.py": f"def go(b):\n    return b.place_order({number})\n" for number in range(12)}
    write_project(tmp_path, files)
    result = check_paths([tmp_path], use_cache=False, jobs=2, fix=fixer.FixMode(unsafe=True))
    assert (len(result.fixes.files), result.fixes.fixes, result.findings) == (12, 12, [])
    assert (tmp_path / "strategies/s7.py").read_text() == "import tradeguard\n\ndef go(b):\n    return tradeguard.route(b, 7)\n"


# --- the framework, with hand-made rules ----------------------------------------------------

class HandMade(Rule):
    name, message = "hand-made", "hand-made for these tests"

    @classmethod
    def tokens(cls, config):
        return ("print",)


class PrintToLog(HandMade):
    """`print(...)` becomes `log(...)`, a safe fix needing an import."""

    code = "TG901"

    def visit_Call(self, node):
        if isinstance(node.func, cst.Name) and node.func.value == "print":
            self.report(node, replacement=node.with_changes(func=cst.Name("log")), fix_is_safe=True,
                        imports=("from logging import info as log",))


class UnparsableFix(HandMade):
    """A buggy fix: `0.real` needs parentheses to parse."""

    code = "TG902"

    def visit_Call(self, node):
        if isinstance(node.func, cst.Name) and node.func.value == "print":
            self.report(node, replacement=cst.Attribute(cst.Integer("0"), cst.Name("real")), fix_is_safe=True)


class NeverDone(HandMade):
    """A fix that always finds more to do."""

    code = "TG903"

    def visit_Integer(self, node):
        self.report(node, replacement=node.with_changes(value=node.value + "0"), fix_is_safe=False)


def fix_text(tmp_path, rule, text, unsafe=True):
    config = Config(root=tmp_path)
    context = FileContext("m.py", text, config, ProjectIndex.for_config(config))
    return fixer.fix_source(context, RuleSet((rule,), (Words.of(["print"]),)), unsafe)


def test_a_hand_made_rule_is_fixed_generically_nested_fixes_take_two_passes_import_added_once(tmp_path):
    text = '"""Says print(1)."""\nprint(print(2))  # print(3)\nx = "print(4)"\n'
    outcome = fix_text(tmp_path, PrintToLog, text, unsafe=False)
    assert outcome.after == '"""Says print(1)."""\n\nfrom logging import info as log\n\nlog(log(2))  # print(3)\nx = "print(4)"\n'
    assert (outcome.fixes, outcome.unsafe_left, outcome.problem) == (2, 0, None)
    assert [finding.line for finding in outcome.findings] == [2, 2]


def test_unsafe_fixes_are_held_back_and_counted(tmp_path):
    outcome = fix_text(tmp_path, NeverDone, "print(1)\n", unsafe=False)
    assert (outcome.after, outcome.unsafe_left) == (None, 1)


def test_a_fix_that_would_not_parse_leaves_the_file_unchanged_with_one_line(tmp_path):
    outcome = fix_text(tmp_path, UnparsableFix, "print(1)\n")
    assert outcome.after is None and len(outcome.findings) == 1
    assert outcome.problem.startswith("a fix of TG902 would not parse (syntax error")
    assert outcome.problem.endswith("; file left unchanged") and "\n" not in outcome.problem


def test_fixes_that_never_settle_are_refused(tmp_path):
    outcome = fix_text(tmp_path, NeverDone, "print(1)\n")
    assert outcome.after is None
    assert outcome.problem == f"fixes still changing the file after {fixer.MAX_PASSES} passes; file left unchanged"


# --- the example project and a generated corpus ---------------------------------------------

def _example_tests(project: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """The example bot's own test suite, run as its developers would."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(REPO / "examples/sdk_standins")]),
           "TRADEGUARD_HOME": str(tmp_path / "tests-home")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120)


def test_example_project_fixed_has_no_tg101_and_still_trades_on_paper(tmp_path):
    project = tmp_path / "trading_bot"
    shutil.copytree(REPO / "examples/trading_bot", project, ignore=shutil.ignore_patterns(".tradeguard_cache"))
    assert _example_tests(project, tmp_path).returncode == 0
    before = json.loads(run_cli("check", "--format", "json", ".", cwd=project).stdout)
    done = run_cli("check", "--fix", "--unsafe-fixes", "--format", "json", ".", cwd=project)
    after = json.loads(done.stdout)
    assert [f for f in before if f["code"] == "TG101"] and not [f for f in after if f["code"] == "TG101"]
    assert sum(f["code"].startswith("TG2") for f in after) < sum(f["code"].startswith("TG2") for f in before)
    tests = _example_tests(project, tmp_path)
    assert tests.returncode == 0 and "4 passed" in tests.stdout, tests.stdout + tests.stderr
    assert "tradeguard: fixed bot/strategies/momentum.py" in done.stderr
    assert compileall.compile_dir(project, quiet=2, legacy=False)
    # The fixed strategy's order goes through the default gateway, PAPER, to the paper broker. (What
    # the strategy then reads from the result is TG205's business, not this fix's.)
    script = (
        "from bot.connectors.oanda import OandaConnector\n"
        "from bot.strategies.momentum import Momentum\n"
        "try:\n"
        "    Momentum(OandaConnector('101-001-0000000-001', 'token')).on_bar(1.0, 1.1)\n"
        "except (KeyError, TypeError):\n"
        "    pass\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(REPO / "examples/sdk_standins")]),
           "TRADEGUARD_HOME": str(tmp_path / "home")}
    env.pop("TRADEGUARD_MODE", None)
    ran = subprocess.run([sys.executable, "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    [attempt] = [json.loads(line) for line in (tmp_path / "home/audit.log").read_text().splitlines()]
    assert (attempt["mode"], attempt["venue"], attempt["result"]["success"]) == ("PAPER", "oanda", True)
    assert attempt["result"]["data"]["order_id"].startswith("paper-")


def test_generated_corpus_fixes_compile_and_settle(tmp_path):
    spec = importlib.util.spec_from_file_location("corpus", REPO / "bench/corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    root = corpus.generate(tmp_path / "corpus", files=150)
    changed = fixer.fix_paths([root], unsafe=True, use_cache=False)
    assert changed and all("tradeguard.route(" in path.read_text() for path in changed)
    assert compileall.compile_dir(root, quiet=2, legacy=False)
    assert not [f for f in check_paths([root], use_cache=False).findings if f.code == "TG101"]
    assert fixer.fix_paths([root], unsafe=True, use_cache=False) == []
