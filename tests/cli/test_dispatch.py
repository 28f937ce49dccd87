"""The `tradeguard` dispatcher finds its subcommands from the modules of `tradeguard/cli/`."""

from tests.conftest import run_cli
from tradeguard._bootstrap import load
from tradeguard.cli import subcommands


def test_every_command_module_is_a_subcommand_with_help_and_main():
    names = subcommands()
    assert {"check", "live", "readiness", "rule", "secrets"} <= set(names)
    for name in names:
        module = load(f"tradeguard.cli.{name}")
        assert module.HELP and "\n" not in module.HELP, name
        assert callable(module.main), name


def test_help_lists_each_subcommand_and_an_unknown_one_is_refused(tmp_path):
    done = run_cli("--help", cwd=tmp_path)
    assert done.returncode == 0
    for name in subcommands():
        assert f"\n  {name} " in done.stdout
    unknown = run_cli("chek", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown subcommand 'chek'" in unknown.stderr


def test_the_version_is_written_once(tmp_path):
    """`lint_rules.__version__` is the one place; the package metadata and the runtime read it,
    and `import tradeguard` stays standard-library only and does not read metadata."""
    import subprocess
    import sys
    from importlib.metadata import version

    import lint_rules

    assert run_cli("--version", cwd=tmp_path).stdout == f"tradeguard {lint_rules.__version__}\n"
    assert version("tradeguard") == lint_rules.__version__
    probe = "import sys, tradeguard; print('importlib.metadata' in sys.modules, tradeguard.__version__)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", lint_rules.__version__]
    from tests.conftest import REPO

    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'attr = "lint_rules.__version__"' in pyproject
    assert "\nversion = " not in pyproject.split("[tool.setuptools.dynamic]")[0]
