"""The file listing: only regular files, every folder listed or warned about, any name, .gitignore."""

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import TRADEGUARD, run_cli

ORDER_CALL = "def go(broker):\n    return broker.place_order('EUR_USD', 1)\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard]\n")
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "good.py").write_text(ORDER_CALL)
    return tmp_path


def test_a_fifo_and_a_link_to_dev_zero_are_skipped_not_read(project):
    """Reading either never ends: the whole run, the one-file hook included, used to hang."""
    os.mkfifo(project / "bot" / "pipe.py")
    os.symlink("/dev/zero", project / "bot" / "zero.py")
    for paths in (["."], ["bot/pipe.py", "bot/zero.py", "bot/good.py"]):
        done = run_cli("check", *paths, "--format", "json", cwd=project)  # run_cli times out after 120 s
        assert done.returncode == 1, done.stderr
        assert [(f["path"], f["code"]) for f in json.loads(done.stdout)] == [("bot/good.py", "TG101")]
        assert "skipped bot/pipe.py: a FIFO, not a regular file" in done.stderr
        assert "skipped bot/zero.py: a character device, not a regular file" in done.stderr


def test_a_name_that_is_not_utf8_is_checked_and_shown_escaped(project):
    name = os.fsdecode(b"bot/caf\xe9.py")
    (project / name).write_text(ORDER_CALL)
    for output in ("text", "json"):
        done = run_cli("check", ".", "--format", output, cwd=project)
        assert done.returncode == 1, done.stderr
        assert "bot/caf\\xe9.py" in (done.stdout if output == "text" else json.loads(done.stdout)[0]["path"])
    assert "Traceback" not in done.stderr


def test_an_unreadable_folder_is_a_warning_naming_it(project):
    locked = project / "bot" / "locked"
    locked.mkdir()
    (locked / "hidden.py").write_text(ORDER_CALL)
    locked.chmod(0)
    command = [TRADEGUARD, "check", ".", "--format", "json"]
    if os.geteuid() == 0:  # root reads anything: drop the capabilities that let it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    try:
        done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1
    assert [f["path"] for f in json.loads(done.stdout)] == ["bot/good.py"]
    assert "warning: cannot list folder bot/locked/ (Permission denied): its files are not checked" in done.stderr


def test_files_git_ignores_are_not_checked_unless_asked(project):
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / ".gitignore").write_text("generated/\n")
    (project / "generated").mkdir()
    (project / "generated" / "client.py").write_text(ORDER_CALL)
    done = run_cli("check", ".", "--format", "json", cwd=project)
    assert [f["path"] for f in json.loads(done.stdout)] == ["bot/good.py"]
    named = run_cli("check", "generated/client.py", "--format", "json", cwd=project)
    assert [f["path"] for f in json.loads(named.stdout)] == ["generated/client.py"]  # named explicitly
    (project / "pyproject.toml").write_text("[tool.tradeguard]\nrespect-gitignore = false\n")
    done = run_cli("check", ".", "--format", "json", cwd=project)
    assert [f["path"] for f in json.loads(done.stdout)] == ["bot/good.py", "generated/client.py"]
