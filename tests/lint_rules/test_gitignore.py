"""Which paths git ignores, asked of the real git."""

import os
import subprocess

import pytest

from lint_rules.gitignore import ignored_paths


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("build/\n*.gen.py\n!keep.gen.py\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("local.py\n")
    return tmp_path


def test_git_patterns_are_read_as_git_reads_them(repo):
    paths = ["a.py", "build/x.py", "build/deep/y.py", "m.gen.py", "keep.gen.py", "sub/local.py", "local.py"]
    assert ignored_paths(repo, paths) == {"build/x.py", "build/deep/y.py", "m.gen.py", "sub/local.py"}


def test_a_tracked_file_is_never_ignored(repo):
    (repo / "m.gen.py").write_text("x = 1\n")
    git(repo, "add", "-f", "m.gen.py")
    assert ignored_paths(repo, ["m.gen.py", "n.gen.py"]) == {"n.gen.py"}


def test_outside_a_repository_nothing_is_ignored(tmp_path, monkeypatch):
    (tmp_path / ".gitignore").write_text("*.py\n")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # no repository above tmp
    assert ignored_paths(tmp_path, ["a.py"]) == frozenset()


def test_without_git_nothing_is_ignored(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "no-such-bin"))
    assert ignored_paths(repo, ["build/x.py"]) == frozenset()


def test_paths_outside_the_folder_do_not_void_the_answer(repo):
    assert ignored_paths(repo, ["../elsewhere.py", "/abs/x.py", "build/x.py"]) == {"build/x.py"}


def test_names_that_are_not_utf8_are_answered(repo):
    name = os.fsdecode(b"build/caf\xe9.py")
    assert ignored_paths(repo, [name, "a.py"]) == {name}
