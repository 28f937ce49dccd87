"""The CI templates of examples/ci/ run as their CI would run them, on the example projects.

The install step is left out (tradeguard is installed here); every other shell step runs with
bash in a copy of the project, and the reports it writes are read back.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

CI = REPO / "examples" / "ci"
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


@pytest.fixture(params=["trading_bot", "trading_bot_fixed"])
def project(request, tmp_path) -> tuple[Path, bool]:
    """A copy of an example project, and whether it should fail CI (a key is added to it)."""
    root = tmp_path / request.param
    shutil.copytree(REPO / "examples" / request.param, root, ignore=shutil.ignore_patterns(".tradeguard_cache"))
    failing = request.param == "trading_bot"
    if failing:
        (root / "bot" / "settings.py").write_text(f'OANDA_TOKEN = "{secrets.token_hex(16)}-{secrets.token_hex(16)}"\n')
    return root, failing


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def test_github_workflow_uploads_both_reports_and_fails_on_findings(project):
    root, failing = project
    steps = yaml.safe_load((CI / "github-actions.yml").read_text())["jobs"]["tradeguard"]["steps"]
    by_id = {step["id"]: step for step in steps if "id" in step}
    outcomes = {name: bash(by_id[name]["run"], root).returncode for name in ("check", "secrets")}
    assert outcomes == ({"check": 1, "secrets": 1} if failing else {"check": 0, "secrets": 0})
    uploads = [step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    uploaded = [step["with"]["sarif_file"] for step in uploads]
    assert uploaded == ["tradeguard-check.sarif", "tradeguard-secrets.sarif"]
    for name in uploaded:
        log = json.loads((root / name).read_text())
        assert log["version"] == "2.1.0" and bool(log["runs"][0]["results"]) == failing
    annotations = bash(next(step["run"] for step in steps if step.get("name") == "annotations"), root)
    assert annotations.returncode == 0
    assert annotations.stdout.startswith("::error file=bot/") == failing
    gate = next(step for step in steps if step.get("name") == "Fail on findings")
    assert gate["if"] == "steps.check.outcome == 'failure' || steps.secrets.outcome == 'failure'"


def test_gitlab_job_publishes_code_quality_and_fails_on_findings(project):
    root, failing = project
    job = yaml.safe_load((CI / "gitlab-ci.yml").read_text())["tradeguard"]
    done = bash("\n".join(job["script"]), root)
    assert done.returncode == (1 if failing else 0), done.stderr
    reports = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    codes = set()
    for name in reports:
        issues = json.loads((root / name).read_text())
        assert all({"description", "check_name", "fingerprint", "severity", "location"} <= set(issue) for issue in issues)
        codes |= {issue["check_name"] for issue in issues}
    assert ({"TG101", "TG301"} <= codes) if failing else codes == set()


def test_gitlab_job_passes_once_findings_are_baselined(tmp_path):
    root = tmp_path / "trading_bot"
    shutil.copytree(REPO / "examples" / "trading_bot", root, ignore=shutil.ignore_patterns(".tradeguard_cache"))
    pyproject = root / "pyproject.toml"  # the baseline named once, as the README's adoption does
    pyproject.write_text(pyproject.read_text().replace("[tool.tradeguard]\n", '[tool.tradeguard]\nbaseline = ".tradeguard-baseline.json"\n'))
    assert bash("tradeguard check --write-baseline", root).returncode == 0
    job = yaml.safe_load((CI / "gitlab-ci.yml").read_text())["tradeguard"]
    done = bash("\n".join(job["script"]), root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((root / "gl-code-quality-check.json").read_text()) == []


def test_pre_commit_example_and_manifest_are_valid_for_pre_commit():
    checks = (("validate-config", CI / ".pre-commit-config.yaml"), ("validate-manifest", REPO / ".pre-commit-hooks.yaml"))
    for command, path in checks:
        done = subprocess.run([sys.executable, "-m", "pre_commit", command, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    hook_ids = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    [repo] = yaml.safe_load((CI / ".pre-commit-config.yaml").read_text())["repos"]
    # one report per finding: tradeguard-fix would repeat tradeguard-check's
    assert [hook["id"] for hook in repo["hooks"]] == ["tradeguard-check", "tradeguard-secrets", "tradeguard-artifacts"]
    assert hook_ids == {"tradeguard-check", "tradeguard-fix", "tradeguard-secrets", "tradeguard-artifacts"}


# The current major versions of the actions the templates use (their release notes, 2026-12).
CURRENT_ACTIONS = {"actions/checkout": "v7", "actions/setup-python": "v7", "github/codeql-action/upload-sarif": "v4"}


@pytest.mark.parametrize("workflow", ["github-actions.yml", "readiness.yml"])
def test_github_workflows_set_permissions_timeouts_and_current_actions(workflow):
    document = yaml.safe_load((CI / workflow).read_text())
    assert document["permissions"] == {"contents": "read"}  # nothing more than the jobs ask for
    for job in document["jobs"].values():
        assert 0 < job["timeout-minutes"] <= 30
        assert job["permissions"]["contents"] == "read"
        for step in job["steps"]:
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                assert version == CURRENT_ACTIONS[action], step["uses"]
                if action == "github/codeql-action/upload-sarif":  # private repositories need both
                    assert job["permissions"]["security-events"] == "write" and job["permissions"]["actions"] == "read"


def test_gitlab_job_has_a_timeout():
    assert yaml.safe_load((CI / "gitlab-ci.yml").read_text())["tradeguard"]["timeout"] == "15 minutes"


@pytest.mark.parametrize("template", ["github-actions.yml", "readiness.yml", "gitlab-ci.yml", ".pre-commit-config.yaml"])
def test_templates_name_a_ref_that_exists(template):
    """No template pins a tag that was never made: they name the default branch, which every copy of
    tradeguard has, and the README's Pinning says how a team pins a commit or its own tag."""
    text = (CI / template).read_text()
    assert "v0.1.0" not in text
    assert "tradeguard@main" in text or "rev: main" in text
