"""`tradeguard readiness` on copies of the example project set up as real git repositories with
the pre-commit hook installed: the fixed twin is ready, the violating one is not, and each check
fails on its own when one thing about a ready project is broken. Every run is the console script."""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hooks.readiness_checks.runtime import DrillConnector
from tests.conftest import REPO, run_cli
from tradeguard import Limits, OrderGateway

EXAMPLES = REPO / "examples"
CHECKS = ["lint", "secrets", "config", "paper-default", "kill-switch", "audit-log", "credentials", "pre-commit"]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """The SDK stand-ins importable (for the simulation) and a state folder of the test's own."""
    return {"PYTHONPATH": str(EXAMPLES / "sdk_standins"), "TRADEGUARD_HOME": str(tmp_path / "state"), "TRADEGUARD_MODE": ""}


TEMPLATE_REPO = "https://github.com/YOUR-ORG/tradeguard"


def pinned_template() -> str:
    """examples/ci/.pre-commit-config.yaml edited as the README says: where tradeguard is kept
    (this checkout) and a pinned commit instead of the template's branch."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    template = (EXAMPLES / "ci" / ".pre-commit-config.yaml").read_text()
    return template.replace(TEMPLATE_REPO, str(REPO)).replace("rev: main", f"rev: {commit}")


def set_up_repo(tmp_path: Path, example: str, install_hook: bool = True) -> Path:
    root = tmp_path / example
    shutil.copytree(EXAMPLES / example, root, ignore=shutil.ignore_patterns(".tradeguard_cache", "__pycache__"))
    (root / ".pre-commit-config.yaml").write_text(pinned_template())
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    if install_hook:
        subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=root, check=True, capture_output=True)
    return root


@pytest.fixture
def ready(tmp_path) -> Path:
    return set_up_repo(tmp_path, "trading_bot_fixed")


def readiness(root: Path, env: dict, *args: str) -> tuple[int, dict]:
    done = run_cli("readiness", ".", "--format", "json", *args, cwd=root, env=env)
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)


def failed(report: dict) -> dict[str, str]:
    return {item["name"]: item["reason"] for item in report["checks"] if not item["passed"]}


def test_fixed_example_is_ready_with_the_paper_flow(ready, env):
    code, report = readiness(ready, env, "--simulate")
    assert [item["name"] for item in report["checks"]] == [*CHECKS, "simulation"]
    assert code == 0 and report["ready"] is True, failed(report)
    simulation = report["checks"][-1]["reason"]
    assert "4 orders through the gateway in PAPER (4 filled on paper, 0 refused)" in simulation
    assert not (Path(env["TRADEGUARD_HOME"]) / "audit.log").exists()  # the operator's state is untouched


def test_violating_example_is_not_ready(tmp_path, env):
    root = set_up_repo(tmp_path, "trading_bot")
    done = run_cli("readiness", cwd=root, env=env)
    assert done.returncode == 1
    assert "  FAIL  lint clean" in done.stdout and "TG" in done.stdout
    assert done.stdout.rstrip().endswith("NOT READY: 1 of 8 checks failed (lint)")


def test_lint_fails_on_its_own_and_passes_once_baselined(ready, env):
    (ready / "bot" / "strategies" / "rogue.py").write_text("def go(broker):\n    return broker.place_order('EUR_USD', 'BUY', 1)\n")
    code, report = readiness(ready, env)
    assert code == 1 and list(failed(report)) == ["lint"]
    assert failed(report)["lint"].startswith("1 finding: bot/strategies/rogue.py:2 TG101")
    run_cli("check", "--write-baseline", ".tradeguard-baseline.json", cwd=ready, env=env)
    code, report = readiness(ready, env)
    assert code == 0 and report["checks"][0]["reason"] == "no findings beyond the baseline .tradeguard-baseline.json"


def test_secrets_fail_on_their_own_without_showing_the_value(ready, env):
    token = f"{secrets.token_hex(16)}-{secrets.token_hex(16)}"
    (ready / "deploy").mkdir()
    (ready / "deploy" / "oanda.env").write_text(f"OANDA_TOKEN={token}\n")
    # The state folder inside the project is tradeguard's own output, not the repository's.
    (ready / ".tradeguard").mkdir()
    (ready / ".tradeguard" / "notes.env").write_text(f"OANDA_TOKEN={token}\n")
    done = run_cli("readiness", "--format", "json", cwd=ready, env={**env, "TRADEGUARD_HOME": str(ready / ".tradeguard")})
    assert token not in done.stdout + done.stderr
    assert failed(json.loads(done.stdout)) == {
        "secrets": "1 credential committed: deploy/oanda.env:1 (OANDA v20 Token) (run `tradeguard secrets`)"
    }


def test_config_fails_on_its_own(ready, env):
    with open(ready / "pyproject.toml", "a") as pyproject:
        pyproject.write("\n[tool.tradeguard.live]\nrequired-approvers = 1\n")
    code, report = readiness(ready, env)
    assert code == 1 and list(failed(report)) == ["config"]
    assert "required-approvers = 1: arming LIVE needs at least 2" in failed(report)["config"]


def test_paper_default_fails_on_a_gateway_built_live_or_a_deployment_file(ready, env):
    gateway = ready / "bot" / "execution" / "gateway.py"
    original = gateway.read_text()
    gateway.write_text(original.replace("price_source=prices)", 'price_source=prices, mode="LIVE")'))
    code, report = readiness(ready, env)
    assert code == 1 and list(failed(report)) == ["paper-default"]  # the lint exempts gateway paths; readiness does not
    line = next(n for n, text in enumerate(gateway.read_text().splitlines(), 1) if 'mode="LIVE"' in text)
    assert f"bot/execution/gateway.py:{line} hard-codes LIVE (TG401)" in failed(report)["paper-default"]
    gateway.write_text(original)
    (ready / "Dockerfile").write_text("FROM python:3.12\n# TRADEGUARD_MODE=LIVE only when armed\nENV TRADEGUARD_MODE=LIVE\n")
    code, report = readiness(ready, env)
    assert list(failed(report)) == ["paper-default"] and "Dockerfile:3 sets TRADEGUARD_MODE=LIVE" in failed(report)["paper-default"]


def test_kill_switch_drill_fails_on_its_own_when_the_runtime_ignores_halts(ready, env, tmp_path):
    # A copy of the real runtime with one line changed, first on the path: what a broken release
    # or a local patch of the installed tradeguard would do.
    shadow = tmp_path / "shadow"
    shutil.copytree(REPO / "tradeguard", shadow / "tradeguard", ignore=shutil.ignore_patterns("__pycache__"))
    state = shadow / "tradeguard" / "state.py"
    anchor = "    def halt_record(self) -> Optional[dict]:\n"
    assert anchor in state.read_text()
    state.write_text(state.read_text().replace(anchor, anchor + "        return None\n"))
    env = {**env, "PYTHONPATH": os.pathsep.join([str(shadow), env["PYTHONPATH"]])}
    code, report = readiness(ready, env)
    assert code == 1 and list(failed(report)) == ["kill-switch"]
    assert failed(report)["kill-switch"].startswith("an order while halted was not refused by the kill switch")


def test_audit_log_fails_on_its_own(ready, env, tmp_path):
    (tmp_path / "state-file").write_text("not a folder\n")
    code, report = readiness(ready, {**env, "TRADEGUARD_HOME": str(tmp_path / "state-file")})
    assert code == 1 and list(failed(report)) == ["audit-log"]
    assert failed(report)["audit-log"] == f"the state folder {tmp_path / 'state-file'} is not a folder"


def test_credentials_resolve_at_run_time_and_are_not_stored(ready, env):
    (ready / "bot" / "credentials.py").write_text(
        "from tradeguard import credentials\n\n\ndef oanda_token():\n    return credentials.resolve('oanda_token')\n"
    )
    code, report = readiness(ready, env)
    assert code == 1 and list(failed(report)) == ["credentials"]
    assert failed(report)["credentials"].startswith(
        "credential 'oanda_token' not found (looked in: environment variable TRADEGUARD_SECRET_OANDA_TOKEN)"
    )
    value = "correct-horse-battery-staple-42"
    env = {**env, "TRADEGUARD_SECRET_OANDA_TOKEN": value}
    code, report = readiness(ready, env, "--credential", "coinbase_key")
    assert list(failed(report)) == ["credentials"] and "'coinbase_key' not found" in failed(report)["credentials"]
    code, report = readiness(ready, env)
    assert code == 0, failed(report)
    assert "1 credential resolved: oanda_token (env)" in report["checks"][6]["reason"]
    (ready / "notes.txt").write_text(f"staging uses {value}\n")
    done = run_cli("readiness", "--format", "json", cwd=ready, env=env)
    assert value not in done.stdout + done.stderr
    assert failed(json.loads(done.stdout)) == {
        "credentials": "credential values are stored in the project: oanda_token in notes.txt; rotate them and remove the files"
    }


def test_pre_commit_fails_on_its_own(ready, env):
    (ready / ".git" / "hooks" / "pre-commit").unlink()
    code, report = readiness(ready, env)
    assert code == 1 and list(failed(report)) == ["pre-commit"]
    assert failed(report)["pre-commit"].startswith("the pre-commit hook is not installed")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=ready, check=True, capture_output=True)
    config = ready / ".pre-commit-config.yaml"
    config.write_text(config.read_text().replace("- id: tradeguard-secrets", "- id: check-yaml"))
    code, report = readiness(ready, env)
    assert list(failed(report)) == ["pre-commit"] and failed(report)["pre-commit"].endswith("does not run tradeguard-secrets")
    config.write_text(config.read_text().replace("- id: tradeguard-check", "- id: check-toml"))
    code, report = readiness(ready, env)
    assert failed(report)["pre-commit"].endswith("does not run tradeguard-check or tradeguard-fix, tradeguard-secrets")


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda text: (EXAMPLES / "ci" / ".pre-commit-config.yaml").read_text(), "still names the template's repository"),
    (lambda text: re.sub(r"rev: \S+", "rev: main", text), "installs tradeguard from the branch 'main'"),
], ids=["unedited-template", "branch-rev"])
def test_pre_commit_fails_on_an_unedited_or_unpinned_template(ready, env, edit, reason):
    config = ready / ".pre-commit-config.yaml"
    config.write_text(edit(config.read_text()))
    code, report = readiness(ready, env)
    assert code == 1 and list(failed(report)) == ["pre-commit"]
    assert reason in failed(report)["pre-commit"]


def test_tradeguard_fix_stands_in_for_tradeguard_check(ready, env):
    config = ready / ".pre-commit-config.yaml"
    config.write_text(config.read_text().replace("- id: tradeguard-check", "- id: tradeguard-fix"))
    code, report = readiness(ready, env)
    assert code == 0, failed(report)
    assert report["checks"][-1]["reason"].startswith(".pre-commit-config.yaml runs tradeguard-fix, tradeguard-secrets")


def test_report_names_the_commit_branch_host_user_and_time(ready, env):
    """Approvers confirm "this commit, this host": the report says which, and whether the tree is dirty."""
    subprocess.run(["git", "checkout", "-q", "-b", "release-1.4"], cwd=ready, check=True)
    subprocess.run(["git", "add", "-A"], cwd=ready, check=True)
    subprocess.run(["git", "-c", "user.email=dev@example.com", "-c", "user.name=Dev", "-c", "commit.gpgsign=false",
                    "commit", "-q", "--no-verify", "-m", "release"], cwd=ready, check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ready, capture_output=True, text=True).stdout.strip()
    _, report = readiness(ready, env)
    import getpass
    import socket
    from datetime import UTC, datetime

    assert (report["commit"], report["branch"], report["dirty"]) == (commit, "release-1.4", False)
    assert (report["host"], report["user"]) == (socket.gethostname(), getpass.getuser())
    stamped = datetime.fromisoformat(report["time"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - stamped).total_seconds()) < 120
    (ready / "bot" / "notes.txt").write_text("not committed\n")
    assert readiness(ready, env)[1]["dirty"] is True
    text = run_cli("readiness", cwd=ready, env=env).stdout.splitlines()[1]
    assert text.startswith(f"  commit {commit} (branch release-1.4, uncommitted changes) on {socket.gethostname()} by ")


def test_simulate_imports_what_the_project_declares_without_pythonpath(tmp_path):
    """The example's pyproject.toml declares its import path (pytest's `pythonpath`: the SDK
    stand-ins beside it); `--simulate` uses it, with no PYTHONPATH in the environment."""
    for name in ("trading_bot_fixed", "sdk_standins"):
        shutil.copytree(EXAMPLES / name, tmp_path / "examples" / name, ignore=shutil.ignore_patterns("__pycache__"))
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment.update(TRADEGUARD_HOME=str(tmp_path / "state"), TRADEGUARD_MODE="")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("tradeguard")), "readiness", "examples/trading_bot_fixed", "--simulate",
         "--format", "json"], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300,
    )
    simulation = json.loads(done.stdout)["checks"][-1]
    assert simulation["name"] == "simulation" and simulation["passed"], simulation["reason"]


def test_simulation_fails_on_its_own_without_quoting_the_error(ready, env, tmp_path):
    idle = tmp_path / "idle.py"
    idle.write_text("print('no orders today')\n")
    code, report = readiness(ready, env, "--simulation-script", str(idle))
    assert code == 1 and list(failed(report)) == ["simulation"]
    assert "sent no order through the gateway" in failed(report)["simulation"]
    crash = tmp_path / "crash.py"
    crash.write_text("raise RuntimeError('token s3cr3t-value-in-a-message')\n")
    done = run_cli("readiness", "--simulation-script", str(crash), cwd=ready, env=env)
    assert done.returncode == 1 and "raised RuntimeError" in done.stdout and "s3cr3t" not in done.stdout


def test_live_arm_runs_readiness(ready, tmp_path, env):
    home = str(tmp_path / "arming")
    arm = ("live", "--home", home, "arm", "--approver", "alice", "--approver", "bob", "--ttl", "1h", "--reason", "drill")
    done = run_cli(*arm, cwd=ready, env=env)
    assert done.returncode == 0, done.stderr
    assert "readiness: 8 checks passed" in done.stdout
    (ready / "bot" / "strategies" / "rogue.py").write_text("def go(broker):\n    return broker.place_order('EUR_USD', 'BUY', 1)\n")
    refused = run_cli(*arm, cwd=ready, env=env)
    assert refused.returncode == 1 and "cannot arm: readiness checks failed: lint" in refused.stderr


def test_usage_errors_are_one_line(tmp_path):
    for args, message in (
        (["missing"], "tradeguard readiness: error: missing: no such folder\n"),
        ([".", "--baseline", "nope.json"], "tradeguard readiness: error: --baseline nope.json: no such file\n"),
        (["--simulation-script", "."], "tradeguard readiness: error: --simulation-script .: no such file\n"),
    ):
        done = run_cli("readiness", *args, cwd=tmp_path)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


@pytest.mark.parametrize("example", ["trading_bot_fixed", "trading_bot"])
def test_ci_job_gates_on_readiness(tmp_path, env, example):
    """The steps of examples/ci/readiness.yml after the install step, with bash, in a fresh clone."""
    root = set_up_repo(tmp_path, example, install_hook=False)
    job = yaml.safe_load((EXAMPLES / "ci" / "readiness.yml").read_text())["jobs"]["readiness"]
    steps = {step["id"]: step for step in job["steps"] if "id" in step}
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    codes = [
        subprocess.run(["bash", "-e", "-c", steps[name]["run"]], cwd=root, env={**os.environ, **env, "PATH": path},
                       capture_output=True, text=True, timeout=300).returncode
        for name in ("hooks", "readiness")
    ]
    assert codes == ([0, 0] if example == "trading_bot_fixed" else [0, 1])


RUNBOOK = (REPO / "RUNBOOK.md").read_text()


def test_runbook_steps_are_commands_of_this_project():
    """Every `tradeguard …` line of the runbook parses with the real subcommand's parser."""
    from tradeguard._bootstrap import load

    lines = [line for block in re.findall(r"```sh\n(.*?)```", RUNBOOK, re.S) for line in block.splitlines()]
    commands = [shlex.split(line, comments=True) for line in lines if line.startswith("tradeguard ")]
    commands = [words[: words.index(">")] if ">" in words else words for words in commands]
    assert {tuple(words[1:3]) for words in commands} >= {
        ("readiness", "--simulate"), ("live", "arm"), ("live", "status"), ("live", "halt"), ("live", "disarm"), ("live", "resume"),
        ("live", "audit"),
    }
    for words in commands:
        load(f"tradeguard.cli.{words[1]}").build_parser().parse_args(words[2:])  # a wrong flag exits here


def test_runbook_post_mortem_prints_the_session(tmp_path):
    home = tmp_path / "state"
    env = {"TRADEGUARD_HOME": str(home)}
    armed = run_cli("live", "arm", "--approver", "alice", "--approver", "bob", "--ttl", "1h", "--reason", "CHG-1234",
                    "--no-readiness", cwd=tmp_path, env=env)
    arming_id = re.search(r"\(id (\w+);", armed.stdout).group(1)
    gateway = OrderGateway({"drill": DrillConnector()}, mode="LIVE", home=home, limits=Limits())
    gateway.submit("drill", symbol="EUR_USD", side="BUY", qty=1, price=1.1)
    assert run_cli("live", "halt", "--reason", "drill", cwd=tmp_path, env=env).returncode == 0
    gateway.submit("drill", symbol="EUR_USD", side="BUY", qty=1, price=1.1)
    assert run_cli("live", "disarm", cwd=tmp_path, env=env).returncode == 0
    done = run_cli("live", "audit", "--arming-id", arming_id, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()[2:]  # after the state folder and the column header
    assert [line.split()[1] for line in lines] == ["arm", "order", "halt", "order", "disarm"]
    assert re.search(r"order\s+LIVE\s+drill\s+EUR_USD\s+buy\s+1\s+1\.1\s.*ms\s+filled$", lines[1])
    assert re.search(r"order\s+LIVE\s+drill\s+EUR_USD\s+buy\s+1\s+1\.1\s.*denied\s+halted: trading is halted: drill$", lines[3])
