"""`tradeguard secrets` as users and the pre-commit hook run it: the console script, as a subprocess."""

import json

from lint_rules.output import render
from tradeguard.cli.secrets import main
from lint_rules.findings import Finding
from tests.conftest import run_cli


def test_clean_findings_and_usage_errors_exit_0_1_2(in_tmp, gen):
    (in_tmp / "clean.py").write_text("x = 1\n")
    assert run_cli("secrets", "clean.py", cwd=in_tmp).returncode == 0
    (in_tmp / "leak.env").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    assert run_cli("secrets", cwd=in_tmp).returncode == 1
    for args in (["--format", "xml"], ["--update-baseline"], ["--history", "a", "b"], ["--exclude-files", "("], ["missing.py"]):
        done = run_cli("secrets", *args, cwd=in_tmp)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr
    assert run_cli("secrets", "--help", cwd=in_tmp).returncode == 0


def test_json_rows_follow_the_contract(in_tmp, gen):
    (in_tmp / "sub").mkdir()
    (in_tmp / "sub" / "settings.yaml").write_text(f"db:\n  password: {gen.password()}\n")
    done = run_cli("secrets", "--format", "json", cwd=in_tmp)
    [row] = json.loads(done.stdout)
    contract = {"code", "path", "line", "type", "message"}
    assert {key: row[key] for key in contract} == {
        "code": "TG301", "path": "sub/settings.yaml", "line": 2, "type": "Hard-coded Credential",
        "message": "Hard-coded Credential in `password` committed in source; load it from the environment or a secret store",
    }
    assert (row["column"], row["end_line"]) == (13, 2)  # the same row shape as `check --format json`


def test_text_lines_name_path_line_column_and_code(in_tmp, gen):
    (in_tmp / "bot.py").write_text(f'\nTOKEN = "{gen.oanda()}"\n')
    done = run_cli("secrets", "bot.py", cwd=in_tmp)
    assert done.stdout == "bot.py:2:10: TG301 OANDA v20 Token committed in source; load it from the environment or a secret store\n"
    assert "1 credential(s) in 1 file(s)" in done.stderr


def test_render_is_the_one_place_formats_plug_in():
    finding = Finding("TG301", "a.env", 1, 5, 1, 9, "OANDA v20 Token committed in source", kind="OANDA v20 Token")
    assert render([finding], "text") == "a.env:1:5: TG301 OANDA v20 Token committed in source\n"
    assert json.loads(render([finding], "json"))[0]["type"] == "OANDA v20 Token"
    assert render([], "json") == "[]\n"


def test_the_hook_call_staged_files_with_a_baseline(in_tmp, gen):
    """What `tradeguard-secrets` runs: the staged files and the repository's baseline."""
    (in_tmp / "old.env").write_text(f"TWS_PASSWORD={gen.password()}\n")
    assert run_cli("secrets", "--baseline", ".secrets.baseline", "--update-baseline", ".", cwd=in_tmp).returncode == 0
    (in_tmp / "new.py").write_text(f'BINANCE_API_SECRET = "{gen.alnum(64)}"\n')
    (in_tmp / "notes.md").write_text("nothing here\n")
    staged = ["old.env", "new.py", "notes.md", ".secrets.baseline"]
    done = run_cli("secrets", "--baseline", ".secrets.baseline", *staged, cwd=in_tmp)
    assert done.returncode == 1
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["new.py"]
    assert run_cli("secrets", "--baseline", ".secrets.baseline", "old.env", "notes.md", cwd=in_tmp).returncode == 0


def test_it_runs_from_a_folder_that_has_its_own_hooks_package(in_tmp, gen):
    (in_tmp / "hooks").mkdir()
    (in_tmp / "hooks" / "__init__.py").write_text("raise ImportError('the user project hooks package')\n")
    (in_tmp / "hooks" / "secrets.py").write_text("")
    (in_tmp / "leak.env").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    done = run_cli("secrets", "leak.env", cwd=in_tmp)
    assert done.returncode == 1, done.stderr


def test_an_internal_error_is_one_line_without_its_message(in_tmp, monkeypatch, capsys, gen):
    token = gen.oanda()

    def explode(*args, **kwargs):
        raise RuntimeError(f"boom {token}")

    monkeypatch.setattr("tradeguard.cli.secrets.scan_paths", explode)
    assert main(["."]) == 2
    captured = capsys.readouterr()
    assert captured.err == "tradeguard secrets: error: internal error (RuntimeError); please report it\n"
    assert token not in captured.out + captured.err
