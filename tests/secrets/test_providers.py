"""The providers' table: every row's own examples, and what the table feeds."""

import random

import pytest

from hooks.secrets import precheck, providers
from hooks.secrets.detectors import DETECTORS
from hooks.secrets.engine import scan_source
from hooks.secrets.syntax import KEY_QUALIFIERS

ROWS = providers.PROVIDERS


def _reported(text: str, path: str) -> list[str]:
    return [detection.finding.kind for detection in scan_source(path, text)]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_every_valid_example_is_reported_as_its_type(row):
    rng = random.Random(row.name)
    assert row.valid, "every row carries examples"
    for template in row.valid:
        example = providers.expand(template, rng)
        path = "bot.py" if "(" in template or " = " in template else ".env" if "=" in template else "notes.md"
        assert row.secret_type in _reported(example + "\n", path), (template, path)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_no_invalid_example_is_reported(row):
    rng = random.Random(row.name + "-invalid")
    assert row.invalid, "every row carries look-alikes"
    for template in row.invalid:
        example = providers.expand(template, rng)
        assert _reported(example + "\n", "notes.md") == [], template


def test_the_table_feeds_the_detectors_the_syntax_layer_and_the_precheck():
    assert [detector.secret_type for detector in DETECTORS] == [
        row.secret_type for row in ROWS if row.detector or row.prefixes or row.pattern
    ]
    assert len({row.secret_type for row in ROWS}) == len(ROWS)
    assert providers.VENUE_WORDS <= KEY_QUALIFIERS
    assert all(trigger in precheck.TOKENS for row in ROWS for trigger in row.triggers)


def test_a_distinctive_token_is_found_wherever_it_stands():
    token = providers.expand("sk_live_{a24}", random.Random(3))
    for text, path in ((f"Rotate {token} today.", "notes.md"), (f"INFO auth with {token}", "app.log"),
                       (f"mytool --verbose {token}", "run.sh"), (f"https://x.io/cb?k={token}", "urls.txt")):
        assert _reported(text + "\n", path) == ["Stripe API Key"], text
