"""TG301's page is built from the providers' table and has the rules' sections."""

from hooks.secrets.docs import rule_doc
from hooks.secrets.providers import PROVIDERS
from tests.conftest import run_cli


def test_the_page_has_every_section_and_every_kind():
    page = rule_doc()
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Kinds covered",
                    "## How to allowlist", "## Fix safety"):
        assert section in page
    assert all(f"- {provider.secret_type}: " in page for provider in PROVIDERS)
    assert page.startswith("# TG301 ")


def test_the_page_holds_no_finding(tmp_path):
    (tmp_path / "TG301.md").write_text(rule_doc())
    done = run_cli("secrets", "TG301.md", cwd=tmp_path)
    assert done.returncode == 0, done.stdout


def test_check_reports_the_same_formats_and_drops_the_same_look_alikes(tmp_path, gen):
    import random

    from hooks.secrets.providers import expand

    token = expand("sk_live_{a24}", random.Random(5))
    (tmp_path / "pay.py").write_text(
        f'STRIPE = "{token}"\nquoteTokenAddress = "0x{gen.hex(40)}"\nNOTE = "***REMOVED***"\n'
    )
    done = run_cli("check", "--select", "TG301", "--format", "json", "pay.py", cwd=tmp_path)
    import json

    assert [(row["code"], row["line"]) for row in json.loads(done.stdout)] == [("TG301", 1)], done.stderr


def test_docs_list_the_kinds_of_the_table():
    from pathlib import Path

    from hooks.secrets.docs import kinds_table

    text = (Path(__file__).resolve().parents[2] / "docs/secrets.md").read_text()
    block = text.split("keeps them equal -->\n", 1)[1].split("\n<!-- end kinds -->", 1)[0]
    assert block == kinds_table()
