"""Prefilter patterns searched only where their words occur (``lint_rules/rules/_text.py``)."""

import re

from lint_rules.rules._text import AnyOf, alternatives, gated
from lint_rules.rules.tg401_hardcoded_live import NEEDED_TEXT

TEXTS = [
    "mode = 'live'\n", 'env: "LiVe"\n', "x = Env.LIVE\n", "os.getenv('MODE', 'live')\n", "paper=False\n",
    "dry_run: bool = False\n", "LIVE_TRADING = True\n", "if mode == 'live':\n", "delivery = True\n",
    "alive = False\n", "from nautilus_trader.live import node\n", "",
]


def test_a_gated_pattern_is_searched_only_where_one_of_its_words_occurs():
    pattern = gated(r"\b(?:buy|sell)\s*\(", ["buy", "sell"])
    assert pattern.search("x.sell (1)").group(0) == "sell ("
    assert pattern.search("x.cancel(1)") is None
    # the words are the caller's promise: a text without them is not searched at all
    assert gated(r"\(", ["buy"]).search("cancel(1)") is None
    assert gated(r"(?i:gateway)\.submit\(", ["gateway"], ignore_case=True).search("GateWay.submit(")


def test_alternatives_searched_apart_find_what_the_alternation_finds():
    one = r"(?:(?<![=!<>])=|:)[ \t]*['\"]live['\"]|\bpaper\w*\s*=\s*False\b"
    apart = AnyOf((gated(r"(?:(?<![=!<>])=|:)[ \t]*['\"]live['\"]", ["'live'", '"live"']),
                   gated(r"\bpaper\w*\s*=\s*False\b", ["False"])))
    for text in TEXTS:
        assert bool(apart.search(text)) == bool(re.search(one, text)), text


def test_tg401_needed_text_is_that_of_the_one_pattern_it_was():
    matched = [text for text in TEXTS if NEEDED_TEXT.search(text)]
    assert matched == [
        "mode = 'live'\n", 'env: "LiVe"\n', "x = Env.LIVE\n", "os.getenv('MODE', 'live')\n", "paper=False\n",
        "dry_run: bool = False\n", "LIVE_TRADING = True\n",
    ]


def test_alternatives_do_not_depend_on_the_order_words_come_in():
    assert alternatives({"place_order", "buy", "sell", "a.b"}) == alternatives(["a.b", "sell", "buy", "place_order"])
    assert alternatives(["buy", "buy_all"]) == "buy_all|buy"
    assert alternatives(["a.b"]) == r"a\.b"
