"""`tradeguard rule` and the one lookup of rule pages it shares with SARIF's rule table."""

from __future__ import annotations

import json
import subprocess
import sys

from lint_rules.rules import known_codes
from tests.conftest import REPO, run_cli

PAGE = """# TG301 (committed-secret)

A credential committed in source.

## What it does
Reports broker tokens and keys found in the repository's files.
"""


def tg301_page() -> str:
    """A page as the secret scanner's documentation function returns one."""
    return PAGE


def test_rule_docs(tmp_path):
    done = run_cli("rule", "TG101", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("# TG101 (order-method-call)")
    assert "## Fix safety" in done.stdout
    listing = run_cli("rule", "--all", cwd=tmp_path)
    assert "TG103" in listing.stdout and "TG000" in listing.stdout
    unknown = run_cli("rule", "TG999", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown rule" in unknown.stderr


def test_rule_all_lists_every_code(tmp_path):
    listing = run_cli("rule", "--all", cwd=tmp_path)
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(known_codes())
    assert "TG301" in known_codes()


def test_a_page_documented_elsewhere_joins_rule_and_sarif_in_one_line(tmp_path):
    """Naming the page's function in DOCUMENTED_ELSEWHERE is all it takes for `tradeguard rule`
    and both commands' SARIF rule tables to carry it."""
    token = "-".join(__import__("secrets").token_hex(16) for _ in range(2))  # an OANDA v20 token's shape
    (tmp_path / "settings.py").write_text(f'OANDA_TOKEN = "{token}"\n')
    script = (
        "import sys\n"
        "from tradeguard.cli import _pages, main\n"
        "_pages.DOCUMENTED_ELSEWHERE['TG301'] = 'tests.cli.test_rule:tg301_page'\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, text=True,
                              env={"PYTHONPATH": str(REPO), "PATH": ""}, timeout=120)

    page = run("rule", "TG301")
    assert (page.returncode, page.stdout) == (0, PAGE)
    assert "TG301  committed-secret" in run("rule", "--all").stdout
    for command in (["secrets", "settings.py"], ["check", "settings.py"]):
        done = run(*command, "--format", "sarif")
        assert done.returncode == 1, done.stderr
        rules = json.loads(done.stdout)["runs"][0]["tool"]["driver"]["rules"]
        tg301 = next(rule for rule in rules if rule["id"] == "TG301")
        assert tg301["name"] == "committed-secret" and tg301["help"]["markdown"] == PAGE
        assert tg301["shortDescription"]["text"] == "A credential committed in source."
        assert tg301["fullDescription"]["text"] == "Reports broker tokens and keys found in the repository's files."
        assert token not in done.stdout
