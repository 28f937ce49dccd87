"""tradeguard passes its own checks: the lint, the secret scan, and its own pre-commit config.

Test fixtures with fake credentials are generated at run time, so the scan needs no allowlist
for them; the violating example project is the one exclusion, named in .pre-commit-config.yaml.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

BIN = Path(sys.executable).parent


def test_lint_is_clean_on_the_project():
    done = run_cli("check", ".", cwd=REPO)
    assert (done.returncode, done.stdout) == (0, "All checks passed!\n"), done.stdout + done.stderr


def test_secret_scan_is_clean_on_the_project():
    done = run_cli("secrets", ".", cwd=REPO)
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_projects_pre_commit_config_passes_on_a_clone(tmp_path):
    clone = tmp_path / "tradeguard"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PRE_COMMIT_HOME": str(tmp_path / "pc")}
    done = subprocess.run(
        [str(BIN / "pre-commit"), "run", "--all-files", "--show-diff-on-failure"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tradeguard check" in done.stdout and "tradeguard secrets" in done.stdout
