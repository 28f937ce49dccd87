"""The flake8 plugin through real flake8 (the installed `TG` entry point), against `tradeguard check`."""

from __future__ import annotations

import ast
import json
import re
import secrets
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hooks.flake8_plugin import TradeguardChecker
from lint_rules import __version__
from lint_rules.source import MAX_FILE_BYTES
from tests.conftest import REPO, run_cli

FLAKE8 = [sys.executable, "-m", "flake8", "--select", "TG"]
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>TG\d{3}) (?P<message>.*)$")
VIOLATION = "def on_bar(broker):\n    return broker.place_order('EUR_USD', 'BUY', 1)\n"


def flake8(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*FLAKE8, *args], cwd=cwd, input=input, capture_output=True, text=True, timeout=120)


def parsed(output: str) -> list[tuple]:
    found = []
    for line in output.splitlines():
        match = LINE.match(line)
        assert match, f"not a flake8 finding: {line!r}"
        found.append((match["path"], int(match["line"]), int(match["column"]), match["code"], match["message"]))
    return sorted(found)


@pytest.fixture
def examples(tmp_path) -> Path:
    for name in ("trading_bot", "trading_bot_fixed"):
        shutil.copytree(REPO / "examples" / name, tmp_path / name, ignore=shutil.ignore_patterns(".tradeguard_cache"))
    return tmp_path


def write_project(root: Path, files: dict[str, str], table: str = "") -> Path:
    (root / "pyproject.toml").write_text(f"[tool.tradeguard]\n{textwrap.dedent(table)}", encoding="utf-8")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_flake8_reports_what_check_reports_on_the_example_project(examples):
    checked = run_cli("check", "trading_bot", "--format", "json", cwd=examples)
    expected = sorted(
        (f["path"], f["line"], f["column"], f["code"], f["message"]) for f in json.loads(checked.stdout)
    )
    done = flake8("trading_bot", cwd=examples)
    assert done.returncode == 1, done.stderr
    assert parsed(done.stdout) == expected
    assert len(expected) >= 11 and {code for *_, code, _ in expected} >= {"TG101", "TG102", "TG103"}


def test_flake8_is_silent_on_the_fixed_example(examples):
    done = flake8("trading_bot_fixed", cwd=examples)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_plugin_is_registered_under_its_name_and_version(examples):
    done = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert f"tradeguard: {__version__}" in done.stdout


def test_stdin_checks_the_unsaved_buffer_not_the_disk(examples):
    project = examples / "trading_bot_fixed"
    on_disk = "bot/strategies/momentum.py"
    buffer = (project / on_disk).read_text() + "\n\ndef shortcut(broker):\n    return broker.place_order('EUR_USD', 'BUY', 1)\n"
    done = flake8("-", "--stdin-display-name", on_disk, cwd=project, input=buffer)
    assert done.returncode == 1
    [(path, line, column, code, _)] = parsed(done.stdout)
    assert (path, code, column) == (on_disk, "TG101", 12)
    assert buffer.splitlines()[line - 1].strip().startswith("return broker.place_order")

    # ...and the other way round: a violating file on disk, its fix in the editor
    violating = examples / "trading_bot"
    fixed_text = (project / on_disk).read_text()
    done = flake8("-", "--stdin-display-name", on_disk, cwd=violating, input=fixed_text)
    assert (done.returncode, done.stdout) == (0, "")


def test_stdin_buffer_uses_the_project_config_and_index(tmp_path):
    """The display name places the buffer in the project: the gateway may send orders."""
    files = {"bot/execution/gateway.py": "", "bot/strategies/a.py": ""}
    write_project(tmp_path, files, 'gateway-paths = ["bot/execution/gateway.py"]\n')
    assert flake8("-", "--stdin-display-name", "bot/execution/gateway.py", cwd=tmp_path, input=VIOLATION).stdout == ""
    done = flake8("-", "--stdin-display-name", "bot/strategies/a.py", cwd=tmp_path, input=VIOLATION)
    assert [code for *_, code, _ in parsed(done.stdout)] == ["TG101"]
    done = flake8("-", cwd=tmp_path, input=VIOLATION)  # no display name: flake8 calls it "stdin"
    assert [(path, code) for path, _, _, code, _ in parsed(done.stdout)] == [("stdin", "TG101")]


def test_exclude_and_per_file_ignores_are_honoured(tmp_path):
    write_project(tmp_path, {
        "archive/old.py": VIOLATION,
        "tests/test_bot.py": VIOLATION,
        "bot/live.py": VIOLATION,
    }, """\
        exclude = ["archive/**"]
        [tool.tradeguard.per-file-ignores]
        "tests/**" = ["TG101"]
    """)
    done = flake8(".", cwd=tmp_path)
    assert [(path, code) for path, _, _, code, _ in parsed(done.stdout)] == [("./bot/live.py", "TG101")]
    checked = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert [(f["path"], f["code"]) for f in json.loads(checked.stdout)] == [("bot/live.py", "TG101")]


def test_a_bad_config_is_one_tg000_finding_not_a_crash(tmp_path):
    write_project(tmp_path, {"bot/a.py": VIOLATION}, "gateway-pathz = []\n")
    done = flake8("bot/a.py", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    [(path, line, column, code, message)] = parsed(done.stdout)
    assert (path, line, column, code) == ("bot/a.py", 1, 1, "TG000")
    assert "unknown key tool.tradeguard.gateway-pathz" in message


def test_flake8_owns_noqa_and_tradeguard_reasons_still_count(tmp_path):
    write_project(tmp_path, {"bot/a.py": (
        "def a(broker):\n    return broker.place_order(1)  # noqa: TG101 -- reviewed: paper account only\n"
        "def b(broker):\n    return broker.place_order(1)  # noqa\n"
        "def c(broker):\n    return broker.place_order(1)  # noqa: TG101\n"
    )}, "require-noqa-reason = true\n")
    done = flake8("bot/a.py", cwd=tmp_path)
    assert [(line, code) for _, line, _, code, _ in parsed(done.stdout)] == [(6, "TG001")]


def test_from_a_folder_with_its_own_hooks_package(tmp_path):
    """`python -m flake8` puts the working directory first on sys.path, where a user's `hooks/`
    would shadow tradeguard's; the entry point goes through the bootstrap shim."""
    write_project(tmp_path, {
        "hooks/__init__.py": "raise ImportError('this is the project own hooks package')\n",
        "hooks/deploy.py": "",
        "bot/a.py": VIOLATION,
    })
    done = flake8("bot/a.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert [(path, code) for path, _, _, code, _ in parsed(done.stdout)] == [("bot/a.py", "TG101")]
    checked = run_cli("check", "bot/a.py", cwd=tmp_path)
    assert checked.returncode == 1 and "TG101" in checked.stdout, checked.stderr


def test_plugin_never_raises(tmp_path):
    """A failure inside tradeguard becomes TG000 (here a path no file system accepts)."""
    checker = TradeguardChecker(ast.parse(VIOLATION), VIOLATION.splitlines(True), str(tmp_path / "bad\0name.py"))
    [(line, column, message, kind)] = list(checker.run())
    assert (line, column, kind) == (1, 0, TradeguardChecker)
    assert message.startswith("TG000 file could not be checked: internal error in tradeguard (ValueError")


def test_a_huge_file_is_tg000_as_in_check(tmp_path):
    text = VIOLATION + "#" * (MAX_FILE_BYTES + 1) + "\n"
    write_project(tmp_path, {"bot/huge.py": text})
    checker = TradeguardChecker(ast.parse(VIOLATION), text.splitlines(True), str(tmp_path / "bot/huge.py"))
    [(line, column, message, _)] = list(checker.run())
    checked = run_cli("check", "bot/huge.py", "--format", "json", cwd=tmp_path)
    [expected] = json.loads(checked.stdout)
    assert (line, column + 1, message) == (expected["line"], expected["column"], f"TG000 {expected['message']}")


def test_credentials_in_python_source_are_tg301_in_flake8_and_check_alike(tmp_path):
    token = f"{secrets.token_hex(16)}-{secrets.token_hex(16)}"  # an OANDA v20 token's shape
    write_project(tmp_path, {
        "bot/settings.py": f'OANDA_TOKEN = "{token}"\n',
        "bot/reviewed.py": f'OANDA_TOKEN = "{token}"  # noqa: TG301 -- revoked practice token\n',
        "tests/fixtures.py": f'OANDA_TOKEN = "{token}"\n',
    }, '[tool.tradeguard.per-file-ignores]\n"tests/**" = ["TG301"]\n')
    done = flake8(".", cwd=tmp_path)
    checked = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    expected = [(f"./{f['path']}", f["line"], f["column"], f["code"], f["message"]) for f in json.loads(checked.stdout)]
    assert [(path, code) for path, _, _, code, _ in expected] == [("./bot/settings.py", "TG301")]
    assert parsed(done.stdout) == expected
    assert token not in done.stdout + done.stderr + checked.stdout + checked.stderr


def test_a_cold_run_over_many_files_with_parallel_jobs_gives_real_findings(tmp_path):
    """flake8's workers are daemonic: a worker pool started inside one failed every file (TG000)."""
    write_project(tmp_path, {f"bot/strategy_{n:03}.py": VIOLATION for n in range(250)})
    done = flake8("--jobs", "2", "bot", cwd=tmp_path)
    found = parsed(done.stdout)
    assert {code for *_, code, _ in found} == {"TG101"}
    assert len(found) == 250


def test_a_path_through_dotdot_matches_the_configured_globs(tmp_path):
    write_project(tmp_path, {"connector/oanda.py": VIOLATION, "strategies/x.py": "x = 1\n"},
                  'connector-paths = ["connector/**"]\n')
    done = flake8("../connector/oanda.py", cwd=tmp_path / "strategies")
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr


def test_the_configured_baseline_is_honoured(tmp_path):
    write_project(tmp_path, {"bot/a.py": VIOLATION}, 'baseline = "baseline.json"\n')
    assert run_cli("check", "--write-baseline", "baseline.json", cwd=tmp_path).returncode == 0
    assert flake8("bot/a.py", cwd=tmp_path).stdout == ""
    (tmp_path / "bot/a.py").write_text(VIOLATION + "\n\n" + VIOLATION.replace("on_bar", "on_tick"))
    assert [line for _, line, *_ in parsed(flake8("bot/a.py", cwd=tmp_path).stdout)] == [6]
    (tmp_path / "baseline.json").write_text("{")
    [(*_, code, message)] = parsed(flake8("bot/a.py", cwd=tmp_path).stdout)
    assert code == "TG000" and "baseline" in message and "not valid JSON" in message


def test_a_file_check_has_judged_is_not_parsed_again(tmp_path, monkeypatch):
    from hooks import flake8_plugin
    from lint_rules import engine
    from lint_rules.runner import check_paths

    monkeypatch.setenv("TRADEGUARD_CACHE_KEY_FILE", str(tmp_path / "key"))
    (tmp_path / "project").mkdir()
    write_project(tmp_path / "project", {"bot/a.py": VIOLATION})
    check_paths([tmp_path / "project"])
    flake8_plugin._workspace_for.cache_clear()

    def not_again(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(engine, "check_source", not_again)
    checker = TradeguardChecker(ast.parse(VIOLATION), VIOLATION.splitlines(True), str(tmp_path / "project/bot/a.py"))
    assert [message.split()[0] for _, _, message, _ in checker.run()] == ["TG101"]
    flake8_plugin._workspace_for.cache_clear()


def flake8_modules(*args: str, cwd: Path, input: str | None = None) -> tuple[subprocess.CompletedProcess, set[str]]:
    """flake8's run and the modules it had loaded when it ended (on its last stderr line)."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('MODULES', *sorted(sys.modules), file=sys.stderr))\n"
            "from flake8.main.cli import main\nsys.exit(main())\n")
    done = subprocess.run([sys.executable, "-c", code, *FLAKE8[3:], *args], cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=120)
    *_, modules = done.stderr.rpartition("MODULES ")
    return done, set(modules.split())


# Loaded only to parse (LibCST is imported lazily: its submodules tell), to build the rule set, to scan.
CHECKING_MODULES = {"libcst._nodes", "lint_rules.rules.tg101_order_call", "hooks.secrets.engine"}


def test_a_warm_file_costs_no_parse_no_rule_set_and_no_secret_scan(tmp_path):
    """In an editor flake8 runs on every save: for a file `check` has judged (TG301 and TG101
    here), the plugin reads both caches and loads neither LibCST, nor the rules, nor the scanner."""
    token = f"{secrets.token_hex(16)}-{secrets.token_hex(16)}"  # an OANDA v20 token's shape
    text = f'OANDA_TOKEN = "{token}"\n\n\n{VIOLATION}'
    write_project(tmp_path, {"bot/a.py": text, "bot/b.py": "x = 1\n"})
    checked = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    expected = [(f["path"], f["line"], f["column"], f["code"], f["message"]) for f in json.loads(checked.stdout)]
    assert [code for *_, code, _ in expected] == ["TG301", "TG101"]
    done, modules = flake8_modules("bot/a.py", cwd=tmp_path)
    assert parsed(done.stdout) == expected
    assert "lint_rules.runner" in modules and not CHECKING_MODULES & modules
    # The same file changed in the editor's buffer: checked, parsed and scanned, as it must be.
    done, modules = flake8_modules("--stdin-display-name", "bot/a.py", "-", cwd=tmp_path, input=text.replace("on_bar", "on_tick"))
    assert [code for *_, code, _ in parsed(done.stdout)] == ["TG301", "TG101"]
    assert CHECKING_MODULES <= modules
    assert token not in done.stdout + done.stderr
