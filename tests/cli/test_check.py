"""`tradeguard check` as a user runs it: the console script, as a subprocess."""

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

EXAMPLES = REPO / "examples"


@pytest.fixture
def example_copy(tmp_path):
    """The two example projects, copied so that caches are written outside the checkout."""
    for name in ("trading_bot", "trading_bot_fixed"):
        shutil.copytree(EXAMPLES / name, tmp_path / name, ignore=shutil.ignore_patterns(".tradeguard_cache"))
    return tmp_path


def test_violating_example_reports_every_order_route_around_the_gateway(example_copy):
    done = run_cli("check", "trading_bot", "--format", "json", cwd=example_copy)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)
    routing = sorted((f["path"], f["line"], f["code"]) for f in findings if f["code"] in ("TG101", "TG102", "TG103"))
    assert routing == [
        ("trading_bot/bot/strategies/mean_reversion.py", 18, "TG102"),
        ("trading_bot/bot/strategies/mean_reversion.py", 25, "TG102"),
        ("trading_bot/bot/strategies/mean_reversion.py", 29, "TG102"),
        ("trading_bot/bot/strategies/momentum.py", 12, "TG101"),
        ("trading_bot/bot/strategies/scalper.py", 17, "TG103"),
        ("trading_bot/bot/strategies/scalper.py", 18, "TG103"),
        ("trading_bot/bot/strategies/scalper.py", 19, "TG103"),
        ("trading_bot/bot/tools/replay.py", 8, "TG102"),
        ("trading_bot/bot/tools/replay.py", 9, "TG102"),
        ("trading_bot/bot/tools/replay.py", 10, "TG102"),
        ("trading_bot/bot/tools/replay.py", 18, "TG102"),
    ]
    first = findings[0]
    assert set(first) >= {"code", "path", "line", "column", "end_line", "end_column", "message"}
    assert all(f["line"] >= 1 and f["column"] >= 1 for f in findings)


def test_fixed_example_checks_clean(example_copy):
    done = run_cli("check", "trading_bot_fixed", cwd=example_copy)
    assert (done.returncode, done.stdout, done.stderr) == (0, "All checks passed!\n", "")


def test_text_output_and_exit_zero(example_copy):
    done = run_cli("check", "trading_bot", "--exit-zero", "--select", "TG101", cwd=example_copy)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "trading_bot/bot/strategies/momentum.py:12:18: TG101 order sent around the gateway: "
        "`self.broker.place_order(...)` is called directly; send it through the gateway (`tradeguard.route(...)`)",
        "Found 1 finding (1 fixable).",
        "[*] fixable: 1 with --fix --unsafe-fixes (review first with --diff).",
    ]


def test_paths_are_relative_to_the_working_directory(example_copy):
    done = run_cli("check", ".", "--select", "TG101", "--format", "json", cwd=example_copy / "trading_bot" / "bot")
    assert [f["path"] for f in json.loads(done.stdout)] == ["strategies/momentum.py"]


def test_output_file(example_copy):
    report = example_copy / "report.json"
    done = run_cli("check", "trading_bot", "--format", "json", "--output", report, "--no-cache", cwd=example_copy)
    assert done.returncode == 1 and done.stdout == ""
    assert len(json.loads(report.read_text())) >= 11
    assert not (example_copy / "trading_bot" / ".tradeguard_cache").exists()


def test_config_error_is_exit_2_naming_the_key(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard]\ngateway_paths = ['x.py']\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    done = run_cli("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown key tool.tradeguard.gateway_paths" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["--format", "xml"], ["--select", "E501"], ["--bogus"]])
def test_usage_errors_are_exit_2(tmp_path, args):
    done = run_cli("check", ".", *args, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_missing_path_is_reported_and_others_still_checked(tmp_path):
    (tmp_path / "s.py").write_text("broker.place_order(1)\n")
    done = run_cli("check", "s.py", "nope.py", cwd=tmp_path)
    assert done.returncode == 2
    assert "nope.py: no such file or folder" in done.stderr
    assert "s.py:1:1: TG101" in done.stdout


def test_works_from_a_folder_holding_its_own_hooks_package(tmp_path):
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "__init__.py").write_text("raise ImportError('the user project hooks package')\n")
    (tmp_path / "lint_rules.py").write_text("raise ImportError('shadow')\n")
    (tmp_path / "s.py").write_text("broker.place_order(1)\n")
    done = run_cli("check", "s.py", cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)})
    assert done.returncode == 1, done.stderr
    assert "TG101" in done.stdout


def test_internal_errors_are_one_line_without_the_message(tmp_path):
    # An unexpected exception inside a subcommand ends in one line and exit 2, and its message
    # (which could quote a secret) is not shown.
    script = (
        "import sys, tradeguard.cli.check as c\n"
        "def boom(argv): raise RuntimeError('token=abc123')\n"
        "c.main = boom\n"
        "from tradeguard.cli import main\n"
        "sys.exit(main(['check']))\n"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("tradeguard: internal error: RuntimeError at ")
    assert "abc123" not in done.stderr and "Traceback" not in done.stderr


# --- the CLI a ruff user expects ------------------------------------------------------------

VIOLATION = "def on_bar(broker):\n    return broker.place_order('EUR_USD', 'BUY', 1)\n"
CLEAN = "def on_bar(gateway):\n    return gateway.submit('oanda', symbol='EUR_USD', side='BUY', qty=1)\n"


def project(tmp_path, files: dict[str, str], config: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.tradeguard]\n{config}")
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_summary_line_with_findings_and_with_a_baseline(tmp_path):
    root = project(tmp_path, {"bot/a.py": VIOLATION}, 'baseline = "tg-baseline.json"\n')
    missing = run_cli("check", cwd=root)  # named before it is written: every finding is reported
    assert missing.returncode == 1 and "a.py:2:12: TG101" in missing.stdout
    assert "the baseline tg-baseline.json named by [tool.tradeguard] does not exist yet" in missing.stderr
    assert run_cli("check", "--write-baseline", cwd=root).returncode == 0  # FILE defaults to the configured one
    assert json.loads((root / "tg-baseline.json").read_text())["findings"][0]["code"] == "TG101"
    done = run_cli("check", cwd=root)
    assert (done.returncode, done.stdout) == (0, "All checks passed!\n1 finding recorded in the baseline not shown.\n")
    (root / "bot" / "b.py").write_text(VIOLATION)
    done = run_cli("check", cwd=root)
    assert done.returncode == 1
    assert done.stdout.splitlines()[1:] == [
        "Found 1 finding (1 fixable).",
        "[*] fixable: 1 with --fix --unsafe-fixes (review first with --diff).",
        "1 finding recorded in the baseline not shown.",
    ]
    overridden = run_cli("check", "--baseline", "other.json", cwd=root)  # --baseline replaces the configured one
    assert overridden.returncode == 2 and "other.json" in overridden.stderr


def test_write_baseline_without_file_needs_a_configured_one(tmp_path):
    root = project(tmp_path, {"a.py": VIOLATION})
    done = run_cli("check", "--write-baseline", cwd=root)
    assert done.returncode == 2 and "none is set" in done.stderr and "Traceback" not in done.stderr


def test_a_folder_without_python_files_says_so(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("# notes\n")
    done = run_cli("check", "docs", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "tradeguard: warning: no Python files found in docs: nothing was checked\n"


def test_statistics_count_findings_by_code(example_copy):
    done = run_cli("check", "trading_bot", "--statistics", cwd=example_copy)
    assert done.returncode == 1
    rows = [line.split() for line in done.stdout.splitlines()[:-2]]
    counts = {row[1]: int(row[0]) for row in rows}
    findings = json.loads(run_cli("check", "trading_bot", "--format", "json", cwd=example_copy).stdout)
    assert counts == {code: sum(f["code"] == code for f in findings) for code in {f["code"] for f in findings}}
    assert [int(row[0]) for row in rows] == sorted(counts.values(), reverse=True)
    assert ["TG101", "[*]", "order-method-call"] == next(row[1:] for row in rows if row[1] == "TG101")
    assert done.stdout.splitlines()[-2] == f"Found {len(findings)} findings (7 fixable)."
    as_json = json.loads(run_cli("check", "trading_bot", "--statistics", "--format", "json", cwd=example_copy).stdout)
    assert {row["code"]: row["count"] for row in as_json} == counts


def test_quiet_prints_the_findings_and_nothing_else(tmp_path):
    root = project(tmp_path, {"a.py": VIOLATION, "b.py": CLEAN})
    done = run_cli("check", "--quiet", cwd=root)
    assert done.returncode == 1 and done.stderr == ""
    assert [line.split(" ")[:2] for line in done.stdout.splitlines()] == [["a.py:2:12:", "TG101"]]
    (root / "a.py").write_text(CLEAN)
    assert run_cli("check", "-q", cwd=root).stdout == ""


def test_config_names_the_pyproject_for_every_path(tmp_path):
    root = project(tmp_path, {"bot/gateway.py": VIOLATION})
    assert run_cli("check", "bot", cwd=root).returncode == 1
    (root / "ci.toml").write_text('[tool.tradeguard]\ngateway-paths = ["bot/gateway.py"]\n')
    done = run_cli("check", "bot", "--config", "ci.toml", cwd=root)
    assert (done.returncode, done.stdout) == (0, "All checks passed!\n"), done.stderr
    bad = run_cli("check", "--config", "nope.toml", cwd=root)
    assert bad.returncode == 2 and "nope.toml" in bad.stderr and "Traceback" not in bad.stderr


def test_extend_exclude_adds_to_exclude(tmp_path):
    root = project(tmp_path, {"legacy/old.py": VIOLATION, "vendor/x.py": VIOLATION, "bot/a.py": VIOLATION}, 'exclude = ["vendor/**"]\n')
    done = run_cli("check", "--extend-exclude", "legacy/**,tmp", "--format", "json", cwd=root)
    assert [f["path"] for f in json.loads(done.stdout)] == ["bot/a.py"]


def test_stdin_with_a_filename_is_checked_as_that_file_of_the_project(tmp_path):
    root = project(tmp_path, {"bot/a.py": CLEAN}, 'gateway-paths = ["bot/gateway.py"]\n')
    done = run_cli("check", "-", "--stdin-filename", "bot/strategy.py", input=VIOLATION, cwd=root)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith("bot/strategy.py:2:12: TG101 ")
    assert (root / "bot" / "a.py").read_text() == CLEAN and not (root / "bot" / "strategy.py").exists()
    as_gateway = run_cli("check", "-", "--stdin-filename", "bot/gateway.py", input=VIOLATION, cwd=root)
    assert (as_gateway.returncode, as_gateway.stdout) == (0, "All checks passed!\n")
    anonymous = run_cli("check", "-", "--format", "json", input=VIOLATION, cwd=root)
    assert [(f["path"], f["code"]) for f in json.loads(anonymous.stdout)] == [("-", "TG101")]
    misuse = run_cli("check", "-", "--fix", input=VIOLATION, cwd=root)
    assert misuse.returncode == 2 and "stdin" in misuse.stderr


def test_show_source_marks_the_reported_columns(tmp_path):
    root = project(tmp_path, {"a.py": VIOLATION})
    done = run_cli("check", "--show-source", cwd=root)
    assert done.stdout.splitlines()[:4] == [
        done.stdout.splitlines()[0],
        "  |",
        "2 |     return broker.place_order('EUR_USD', 'BUY', 1)",
        "  |            " + "^" * len("broker.place_order('EUR_USD', 'BUY', 1)"),
    ]
    piped = run_cli("check", "-", "--show-source", "--stdin-filename", "x.py", input=VIOLATION, cwd=root)
    assert "2 |     return broker.place_order('EUR_USD', 'BUY', 1)" in piped.stdout


def run_in_terminal(args, cwd, env) -> str:
    """The console script with a terminal as its standard output, as a user's shell runs it."""
    import os
    import pty
    import subprocess

    from tests.conftest import TRADEGUARD

    controller, terminal = pty.openpty()
    process = subprocess.Popen([TRADEGUARD, *args], cwd=cwd, env=env, stdout=terminal, stderr=terminal, stdin=subprocess.DEVNULL)
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=120)
    os.close(controller)
    return output.decode()


def test_colours_on_a_terminal_unless_no_color(tmp_path):
    import os

    root = project(tmp_path, {"a.py": VIOLATION})
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    coloured = run_in_terminal(["check"], root, environment)
    assert "\x1b[1m\x1b[31mTG101\x1b[0m" in coloured and "a.py:2:12:" in coloured
    plain = run_in_terminal(["check"], root, {**environment, "NO_COLOR": "1"})
    assert "\x1b[" not in plain and "a.py:2:12: TG101" in plain
    assert "\x1b[" not in run_cli("check", cwd=root).stdout  # piped: no colours


@pytest.mark.parametrize(("args", "config", "message"), [
    (["--select", "TG1O1"], "", "argument --select: unknown code 'TG1O1'; did you mean TG101?"),
    (["--ignore", "TG2055"], "", "argument --ignore: unknown code 'TG2055'; did you mean TG205?"),
    ([], 'select = ["TG2O1"]\n', "tool.tradeguard.select: unknown code 'TG2O1'; did you mean TG201?"),
    ([], 'gateway_paths = ["x.py"]\n', "unknown key tool.tradeguard.gateway_paths; did you mean gateway-paths?"),
    ([], 'baselin = "b.json"\n', "unknown key tool.tradeguard.baselin; did you mean baseline?"),
])
def test_unknown_codes_and_keys_are_refused_with_the_closest_one(tmp_path, args, config, message):
    root = project(tmp_path, {"a.py": CLEAN}, config)
    done = run_cli("check", *args, cwd=root)
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr and "Traceback" not in done.stderr


def test_select_and_ignore_accumulate_when_repeated(tmp_path):
    root = project(tmp_path, {"a.py": VIOLATION + "MODE = 'LIVE'\n"})
    done = run_cli("check", "--ignore", "TG301", "--ignore", "TG101", "--format", "json", cwd=root)
    assert [f["code"] for f in json.loads(done.stdout)] == ["TG401"]
