"""`tradeguard check` and `tradeguard rule` as a user runs them: the console script, as a subprocess."""

import json
import shutil

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


def test_rule_docs(tmp_path):
    done = run_cli("rule", "TG101", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("# TG101 (order-method-call)")
    assert "## Fix safety" in done.stdout
    listing = run_cli("rule", "--all", cwd=tmp_path)
    assert "TG103" in listing.stdout and "TG000" in listing.stdout
    unknown = run_cli("rule", "TG999", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown rule" in unknown.stderr


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
