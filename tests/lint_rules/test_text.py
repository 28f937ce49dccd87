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


def test_the_order_rules_needed_text_is_that_of_the_patterns_led_by_a_word_boundary():
    # TG101 and TG102 search for each order method's name first; they must find what the
    # patterns starting with `\b` (and TG101's `(?<!def )`) found, also for a name that does
    # not start with a word character.
    import random

    from lint_rules.rules import all_rules
    from lint_rules.rules._orders import _needed_pattern

    names = ("place_order", "place", "submit", ".x")
    alternation = "|".join(map(re.escape, names))
    one_pattern = {
        "TG101": re.compile(rf"(?<!def )\b(?:{alternation})\s*\(|\b(?:{alternation})\s+as\b"),
        "TG102": re.compile(rf"\b(?:{alternation})\b(?!\s*\()"),
    }
    rules = {rule.code: rule for rule in all_rules()}
    parts = ["place_order", "place", "def ", "(", " (", " as ", "as", "x", "_", ".", " ", "\n", "submit", ".x", "é"]
    generator = random.Random(16)
    for _ in range(5_000):
        text = "".join(generator.choice(parts) for _ in range(generator.randint(1, 6)))
        for code, pattern in one_pattern.items():
            assert bool(_needed_pattern(rules[code].needed_text, names).search(text)) == bool(pattern.search(text)), (code, text)
