"""Baselines in detect-secrets' format: existing ones keep working, ours are written the same way."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tradeguard.cli.secrets import main

DETECT_SECRETS = str(Path(sys.executable).with_name("detect-secrets"))


def stock_baseline(*args: str) -> dict:
    """What `detect-secrets scan` writes, in the working directory."""
    done = subprocess.run([DETECT_SECRETS, "scan", "--all-files", *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def run(capsys, *args: str) -> tuple[int, list[tuple[str, int]], str]:
    code = main(["--format", "json", *args])
    out, err = capsys.readouterr()
    return code, [(row["path"], row["line"]) for row in json.loads(out or "[]")], err


@pytest.fixture
def repo(in_tmp, gen):
    (in_tmp / "settings.py").write_text(
        f'DB_PASSWORD = "{gen.password()}"\nAWS_KEY_ID = "{gen.aws_id()}"\nSMTP_PASSWORD = "{gen.password()}"\n'
    )
    (in_tmp / "id_rsa").write_text(gen.pem("RSA PRIVATE KEY", 600))
    return in_tmp


def test_a_detect_secrets_baseline_accepts_what_it_records_and_audits(repo, capsys):
    baseline = stock_baseline("settings.py", "id_rsa")
    entries = baseline["results"]["settings.py"]
    by_line = {entry["line_number"]: entry for entry in entries if entry["type"] != "Base64 High Entropy String"}
    by_line[1]["is_secret"] = False  # audited: not a secret
    by_line[3]["is_secret"] = True  # audited: a real, live secret
    Path(".secrets.baseline").write_text(json.dumps(baseline, indent=2))

    code, found, _ = run(capsys, "--baseline", ".secrets.baseline", "settings.py", "id_rsa")
    assert (code, found) == (1, [("settings.py", 3)])


def test_without_the_baseline_everything_is_reported(repo, capsys):
    code, found, _ = run(capsys, ".")
    assert (code, found) == (1, [("id_rsa", 1), ("settings.py", 1), ("settings.py", 2), ("settings.py", 3)])


def test_update_baseline_writes_detect_secrets_format_and_keeps_audit_labels(repo, capsys, gen):
    assert run(capsys, "--baseline", ".secrets.baseline", "--update-baseline", ".")[0] == 0
    written = json.loads(Path(".secrets.baseline").read_text())
    assert list(written) == ["version", "plugins_used", "filters_used", "results", "generated_at"]
    assert written["version"] == "1.5.0"
    entry = written["results"]["settings.py"][0]
    assert list(entry) == ["type", "filename", "hashed_secret", "is_verified", "line_number"]
    assert len(entry["hashed_secret"]) == 40

    written["results"]["settings.py"][0]["is_secret"] = False
    Path(".secrets.baseline").write_text(json.dumps(written, indent=2))
    (repo / "settings.py").write_text(Path("settings.py").read_text() + f'API_SECRET = "{gen.alnum(40)}"\n')
    code, found, _ = run(capsys, "--baseline", ".secrets.baseline", ".")
    assert (code, found) == (1, [("settings.py", 4)])

    assert run(capsys, "--baseline", ".secrets.baseline", "--update-baseline", ".")[0] == 0
    updated = json.loads(Path(".secrets.baseline").read_text())
    assert updated["results"]["settings.py"][0]["is_secret"] is False
    assert len(updated["results"]["settings.py"]) == 4


def test_an_unchanged_baseline_is_not_rewritten(repo, capsys):
    run(capsys, "--baseline", ".secrets.baseline", "--update-baseline", ".")
    before = Path(".secrets.baseline").read_text()
    run(capsys, "--baseline", ".secrets.baseline", "--update-baseline", ".")
    assert Path(".secrets.baseline").read_text() == before


def test_updating_with_some_files_keeps_the_entries_of_the_others(repo, capsys):
    run(capsys, "--baseline", ".secrets.baseline", "--update-baseline", ".")
    (repo / "settings.py").write_text("DEBUG = True\n")
    run(capsys, "--baseline", ".secrets.baseline", "--update-baseline", "settings.py")
    assert list(json.loads(Path(".secrets.baseline").read_text())["results"]) == ["id_rsa"]


def test_exclude_files_of_a_detect_secrets_baseline_are_honoured_and_ours_are_kept(repo, capsys):
    baseline = stock_baseline("--exclude-files", "^id_rsa$", "id_rsa")
    assert baseline["results"] == {}
    Path(".secrets.baseline").write_text(json.dumps(baseline))
    code, found, _ = run(capsys, "--baseline", ".secrets.baseline", "--exclude-files", "^settings", ".")
    assert (code, found) == (0, [])
    run(capsys, "--baseline", ".secrets.baseline", "--update-baseline", "--exclude-files", "^settings", ".")
    filters_used = json.loads(Path(".secrets.baseline").read_text())["filters_used"]
    assert {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^id_rsa$", "^settings"]} in filters_used


def test_an_old_detect_secrets_baseline_is_upgraded(repo, capsys):
    import hashlib

    value = Path("settings.py").read_text().splitlines()[0].split('"')[1]
    old = {
        "exclude": {"files": None, "lines": None}, "generated_at": "2020-01-01T00:00:00Z",
        "plugins_used": [{"name": "KeywordDetector"}],
        "results": {"settings.py": [{"hashed_secret": hashlib.sha1(value.encode()).hexdigest(), "is_secret": False,
                                     "is_verified": False, "line_number": 1, "type": "Secret Keyword"}]},
        "version": "0.14.3",
    }
    Path(".secrets.baseline").write_text(json.dumps(old))
    code, found, _ = run(capsys, "--baseline", ".secrets.baseline", "settings.py")
    assert (code, found) == (1, [("settings.py", 2), ("settings.py", 3)])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON (line 1, column 2)"),
        ("[]", "expected a JSON object, found list"),
        ('{"version": "1.5.0", "results": []}', "'results' must be an object"),
        ('{"version": "1.5.0", "results": {"a.py": [{"type": "x"}]}}', "results['a.py'][0] needs string 'type' and 'hashed_secret'"),
        ('{"results": {}}', "'version' must be a string"),
        ('{"version": "1.5.0", "results": {}, "filters_used": [{"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["("]}]}', "invalid regex '('"),
    ],
)
def test_a_broken_baseline_is_one_line_naming_it_and_exit_2(repo, capsys, content, problem):
    Path("broken.baseline").write_text(content)
    code = main(["--baseline", "broken.baseline", "."])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and problem in err
    assert "broken.baseline" in err or "invalid regex" in err


def test_a_missing_baseline_is_an_error_unless_creating_it(repo, capsys):
    assert main(["--baseline", "missing.baseline", "."]) == 2
    assert "missing.baseline: no such file" in capsys.readouterr().err
    assert main(["--baseline", "new.baseline", "--update-baseline", "."]) == 0
    assert Path("new.baseline").is_file()
