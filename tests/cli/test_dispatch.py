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
