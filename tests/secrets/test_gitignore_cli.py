"""`tradeguard secrets` respects `.gitignore` (the `respect-gitignore` key, `--no-respect-gitignore`),
also when it writes a baseline: a file git ignores is not committed, so it holds no committed secret."""

import json
import subprocess

from tests.conftest import run_cli


def _repo(tmp_path, gen, config=""):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text(".env.local\n")
    (tmp_path / "pyproject.toml").write_text(f"[tool.tradeguard]\n{config}")
    (tmp_path / ".env.local").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    (tmp_path / "settings.env").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    return tmp_path


def _paths(done):
    return sorted(row["path"] for row in json.loads(done.stdout))


def test_ignored_files_are_skipped_by_default_and_scanned_on_request(tmp_path, gen):
    repo = _repo(tmp_path, gen)
    assert _paths(run_cli("secrets", "--format", "json", ".", cwd=repo)) == ["settings.env"]
    everything = run_cli("secrets", "--format", "json", "--no-respect-gitignore", ".", cwd=repo)
    assert _paths(everything) == [".env.local", "settings.env"]


def test_the_config_key_turns_it_off(tmp_path, gen):
    repo = _repo(tmp_path, gen, "respect-gitignore = false\n")
    assert _paths(run_cli("secrets", "--format", "json", ".", cwd=repo)) == [".env.local", "settings.env"]
    (repo / "pyproject.toml").write_text('[tool.tradeguard]\nrespect-gitignore = "no"\n')
    done = run_cli("secrets", ".", cwd=repo)
    assert done.returncode == 2 and "respect-gitignore must be true or false" in done.stderr


def test_update_baseline_records_no_ignored_file(tmp_path, gen):
    repo = _repo(tmp_path, gen)
    done = run_cli("secrets", "--baseline", ".secrets.baseline", "--update-baseline", ".", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert list(json.loads((repo / ".secrets.baseline").read_text())["results"]) == ["settings.env"]
