"""TG201-TG205 beyond their own examples: facts the index keeps across files and runs, which files
are parsed at all, odd code, fixes, and the example project through the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lint_rules import engine
from lint_rules.config import Config, load_config
from lint_rules.context import FileContext
from lint_rules.examples import fix_example
from lint_rules.index import ProjectIndex, summarize_source
from lint_rules.rule import Invalid
from lint_rules.rules.results.helpers import canonical_functions, returns_canonical
from lint_rules.rules.results.tg202_payload_at_top_level import PayloadAtTopLevel
from lint_rules.runner import Project, check_paths
from tests.conftest import REPO, run_cli

RESULT_CODES = ("TG201", "TG202", "TG203", "TG204", "TG205")


def write(root: Path, files: dict[str, str], table: str = "") -> Path:
    (root / "pyproject.toml").write_text(f"[tool.tradeguard]\n{textwrap.dedent(table)}", encoding="utf-8")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def found(root: Path, *paths: str, use_cache: bool = True) -> list[tuple[str, int, str]]:
    """(path relative to root, line, code) of the TG2xx findings, checked as `tradeguard check` does."""
    result = check_paths([root / path for path in paths] or [root], select=RESULT_CODES, use_cache=use_cache)
    return sorted(
        (Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.line, f.code) for f in result.findings
    )


# --- what the index learns from one file ------------------------------------------------------
def test_summary_lists_what_each_functions_results_are_built_from():
    summary = summarize_source(textwrap.dedent('''
        from tradeguard import fail, ok
        from . import util
        from ..shared import build as make
        import tradeguard as tg

        def literal():
            return {"success": True, "error": None, "data": {}}

        def branches(reply):
            result = ok(reply) if reply else fail("no reply")
            return result

        def through_helpers(reply):
            return util.wrap(reply) or make(reply)

        async def awaited(self):
            return await tg.normalize(self.reply)

        def keywords():
            return dict(success=False, error="x", data={})

        def raw(resp):
            return resp.json()  # a method of a local value: not followed

        def parameter(result):
            return result

        def payload():
            return {"success": True, "order_id": 1}

        def nothing():
            print("no return")

        def loop(items):
            for item in items:
                return item

        def nested():
            def inner():
                return resp.json()
            return ok(inner())

        class Venue:
            def _settle(self, reply):
                return self._wrap(reply) if reply else super().fail()
    '''))
    # generic facts: the rules decide what is canonical (functions holding nothing known are left out)
    assert summary["returns"] == {
        "literal": ["dict:data,error,success"],
        "branches": ["call:fail", "call:ok"],
        "through_helpers": ["call:make", "call:util.wrap"],
        "awaited": ["call:tg.normalize"],
        "keywords": ["dict:data,error,success"],
        "raw": ["call:resp.json"],
        "payload": ["dict:order_id,success"],
        "nested": ["call:ok"],   # the inner function's return is its own
        "Venue._settle": ["call:self._wrap", "call:super.fail"],
    }


def summaries(files: dict[str, str]) -> dict[str, dict]:
    return {rel: summarize_source(textwrap.dedent(text)) for rel, text in files.items()}


HELPERS = {
    "bot/results.py": '''
        from tradeguard import fail, ok

        def wrap(reply):
            return ok(reply) if reply else fail("no reply")
    ''',
    "bot/chain.py": '''
        from bot.results import wrap

        def again(reply):
            return wrap(reply)
    ''',
    "bot/loop.py": '''
        from tradeguard import ok

        def ping(n):
            return pong(n - 1) if n else ok({})

        def pong(n):
            return ping(n)
    ''',
    "bot/raw.py": '''
        from tradeguard import ok

        def parse(reply):
            return reply.json()

        def maybe(reply):
            return parse(reply) if reply else ok({})
    ''',
    "src/desk/venues/base.py": '''
        from .. import results

        class Venue(BaseConnector):
            def _settle(self, reply):
                return results.wrap(reply)

            def quote(self, symbol):
                return self.api.get(symbol)
    ''',
    "src/desk/results.py": '''
        from tradeguard.results import normalize

        def wrap(reply):
            return normalize(reply)
    ''',
    "src/desk/venues/oanda.py": '''
        from bot.chain import again
        from bot.loop import ping
        from bot.raw import maybe, parse
        from desk.venues.base import Venue

        class Oanda(Venue):
            pass
    ''',
}


def context_in(index: ProjectIndex, rel: str, **config) -> FileContext:
    return FileContext(rel, "", Config(root=Path("."), **config), index)


def test_index_follows_helpers_across_modules_recursion_and_src_layouts():
    index = ProjectIndex(("BaseConnector",), summaries(HELPERS))
    here = context_in(index, "src/desk/venues/oanda.py")
    assert returns_canonical(here, "again")            # two modules away
    assert returns_canonical(here, "ping")             # helpers calling each other
    assert not returns_canonical(here, "parse")
    assert not returns_canonical(here, "maybe")        # one branch is raw
    assert not returns_canonical(here, "unknown")
    assert not returns_canonical(here, "self.api.get")
    # inherited helpers, relative imports two levels up, a project under src/
    assert returns_canonical(here, "self._settle", "Oanda")
    assert not returns_canonical(here, "self._missing", "Oanda")
    assert ("src/desk/venues/base.py", "Venue._settle") in canonical_functions(here)
    assert index.module_path("desk.venues.base") == "src/desk/venues/base.py"
    # a connector's interface method is checked itself, so calling one is canonical; `quote`
    # overrides nothing the base declares, so it is an interface method only when named one
    assert not returns_canonical(here, "self.quote", "Oanda")
    named = context_in(ProjectIndex(("BaseConnector",), summaries(HELPERS)), "src/desk/venues/oanda.py", connector_methods=("quote",))
    assert returns_canonical(named, "self.quote", "Oanda")


def test_index_fingerprint_moves_with_canonical_facts_only():
    before = ProjectIndex(("BaseConnector",), summaries(HELPERS)).fingerprint()
    edited = {**HELPERS, "bot/results.py": HELPERS["bot/results.py"] + "\n        # a comment\n"}
    assert ProjectIndex(("BaseConnector",), summaries(edited)).fingerprint() == before
    broken = {**HELPERS, "bot/results.py": HELPERS["bot/results.py"].replace('fail("no reply")', "reply.json()")}
    assert ProjectIndex(("BaseConnector",), summaries(broken)).fingerprint() != before


# --- single-file runs know the project ---------------------------------------------------------
CONNECTOR = '''
    from bot.results import settle
    from bot.venues import FxVenue

    class Oanda(FxVenue):
        def place_order(self, order):
            return settle(self.api.request(order))
'''


def test_single_file_run_knows_helpers_and_bases_of_other_files_through_the_cache(tmp_path):
    root = write(tmp_path, {
        "bot/base.py": "class BaseConnector:\n    pass\n",
        "bot/venues.py": "from bot.base import BaseConnector\n\nclass FxVenue(BaseConnector):\n    pass\n",
        "bot/results.py": "from tradeguard import normalize\n\ndef settle(reply):\n    return normalize(reply)\n",
        "bot/oanda.py": CONNECTOR,
        "bot/strategy.py": "def go(connector):\n    return connector.place_order({})['id']\n",
    })
    assert found(root) == [("bot/strategy.py", 2, "TG205")]
    assert found(root, "bot/oanda.py") == []

    # the helper turns raw in another file: a run on the connector alone sees it
    (root / "bot/results.py").write_text("def settle(reply):\n    return reply['orderFillTransaction']\n")
    assert found(root, "bot/oanda.py") == [("bot/oanda.py", 6, "TG201")]

    # the base class stops being a connector two files away: nothing to check any more
    (root / "bot/venues.py").write_text("class FxVenue:\n    pass\n")
    assert found(root, "bot/oanda.py") == []


def test_flake8_on_an_unsaved_buffer_knows_the_gateway_functions_of_the_project(tmp_path):
    root = write(tmp_path, {
        "bot/execution/gateway.py": "def submit_order(venue, **order):\n    pass\n",
        "bot/strategy.py": "",
    }, 'gateway-paths = ["bot/execution/gateway.py"]\n')
    buffer = "from bot.execution.gateway import submit_order\n\nprint(submit_order('oanda')['id'])\n"
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "TG", "-", "--stdin-display-name", "bot/strategy.py"],
        cwd=root, input=buffer, capture_output=True, text=True, timeout=120,
    )
    assert done.stdout.startswith("bot/strategy.py:3:7: TG205 "), done.stdout + done.stderr


# --- which files are parsed ------------------------------------------------------------------
def test_files_without_connectors_or_result_reads_are_not_parsed_for_these_rules(tmp_path):
    root = write(tmp_path, {
        "bot/connectors/oanda.py": "class Oanda:\n    def place_order(self, order):\n        return order\n",
        # helpers living beside connectors are not connectors: no order method
        "bot/connectors/oanda_auth.py": "class OandaAuth:\n    def header(self):\n        return {'op': 'auth'}\n",
        "bot/connectors/oanda_book_source.py": "class OandaBookSource:\n    async def listen(self):\n        return\n",
        "bot/paper.py": "from bot.base import Venue\n\nclass Paper(Venue):\n    def quote(self):\n        return 1\n",
        "bot/idle.py": "from bot.base import Venue\n\nclass Idle(Venue):\n    def extra(self):\n        return 1\n",
        "bot/base.py": "class Venue:\n    def quote(self):\n        raise NotImplementedError\n",
        "bot/indicators.py": "class Ema:\n    def value(self):\n        return (1, 2)\n",
        "bot/good.py": "def go(gateway):\n    res = gateway.submit('oanda', qty=1)\n    return res['data']['id']\n",
        "bot/bad.py": "def go(gateway):\n    res = gateway.submit('oanda', qty=1)\n    return res['id']\n",
        "bot/unrelated.py": "from bot.connectors.oanda import Oanda\n\ndef price(reply: Oanda):\n    return reply.pricing()['bid']\n",
        "bot/tasks.py": "def stop(task, connector: object):\n    return task.cancel()['done']\n",
        "tests/test_fake.py": "class FakeConnector:\n    def place_order(self, o):\n        return o['id']\n",
    }, 'connector-paths = ["bot/connectors/**"]\nconnector-bases = ["Venue"]\nconnector-methods = ["quote", "cancel"]\n'
       '[tool.tradeguard.per-file-ignores]\n"tests/**" = ["TG2"]\n')
    config = load_config(root)
    project = Project(config, use_cache=False)
    files = sorted(root.rglob("*.py"))
    project.build_index(files)
    ruleset = engine.RuleSet.for_config(config)
    applicable = {}
    for path in files:
        rel = config.relative(path)
        codes = {rule.code for rule in ruleset.rules_for(project.context(rel, path.read_text()))}
        applicable[rel] = sorted(codes & set(RESULT_CODES))
    family = ["TG201", "TG202", "TG203", "TG204"]
    assert applicable == {
        "bot/connectors/oanda.py": family,    # in a connector path, with an order method
        "bot/connectors/oanda_auth.py": [],
        "bot/connectors/oanda_book_source.py": [],
        "bot/paper.py": family,               # overrides a method of its connector base
        "bot/idle.py": [],                    # derives from the base, overrides nothing
        "bot/base.py": [],                    # the configured base itself declares, it is no connector
        "bot/indicators.py": [],
        "bot/good.py": [],                    # reads only result keys
        "bot/bad.py": ["TG205"],
        "bot/unrelated.py": [],               # reads payload, but calls no interface method
        "bot/tasks.py": [],                   # `.cancel(` on a receiver not known as a connector
        "tests/test_fake.py": [],             # per-file-ignores silence the family here
    }


# --- odd code -------------------------------------------------------------------------------
ODD_METHODS = {
    "match": ('''
        def place_order(self, order):
            match order:
                case {"kind": "market"}:
                    return ok({})
                case _:
                    return fail("unsupported")
    ''', []),
    "walrus and await": ('''
        async def place_order(self, order):
            if (reply := await self.api.send(order)) is None:
                return fail("no reply")
            return normalize(reply)
    ''', []),
    "try finally": ('''
        def place_order(self, order):
            try:
                return ok(self.api.send(order))
            except TimeoutError as error:
                return fail(error)
            finally:
                self.api.close()
    ''', []),
    "elif chain that falls through": ('''
        def place_order(self, order):
            if order.a:
                return ok({})
            elif order.b:
                return fail("b")
    ''', [("TG201", 1)]),
    "spread dict": ('''
        def place_order(self, order, **extra):
            return {**extra, "success": True}
    ''', []),
    "built piecewise": ('''
        def place_order(self, order):
            result = {}
            result["success"] = True
            result.update(error=None, data={})
            return result
    ''', []),
    "async generator": ('''
        async def stream(self, *symbols):
            for symbol in symbols:
                yield await self.api.quote(symbol)
    ''', []),
    "nested class and lambda default": ('''
        def place_order(self, order, send=lambda o: o.json()):
            class Reply:
                def value(self):
                    return None
            return ok(send(order))
    ''', []),
    "decorated with arguments": ('''
        @retry(times=3)
        def place_order(self, order):
            return self.api.send(order).json()
    ''', [("TG201", 3)]),
    "name returned twice": ('''
        def place_order(self, order):
            reply = order.payload()
            if order.a:
                return reply
            return reply
    ''', [("TG201", 4)]),   # at the first return of it, not at the assignment
    "self-referencing variable": ('''
        def place_order(self, order):
            result = ok({})
            result = result
            return result
    ''', []),
}


@pytest.mark.parametrize("name", sorted(ODD_METHODS))
def test_odd_connector_code_is_judged_without_errors(tmp_path, name):
    method, expected = ODD_METHODS[name]
    body = textwrap.indent(textwrap.dedent(method).strip("\n"), "    ")
    source = f"from tradeguard import fail, normalize, ok\n\n\nclass OandaConnector:\n{body}\n"
    root = write(tmp_path, {"bot/oanda.py": source})
    first_method_line = 5
    got = [(code, line - first_method_line + 1) for _, line, code in found(root, use_cache=False)]
    assert got == expected


def test_a_connector_in_newer_syntax_is_still_checked(tmp_path):
    """Python 3.11's `ast` rejects 3.12 syntax: the index's line reading still finds the class."""
    root = write(tmp_path, {"bot/oanda.py": '''
        type Price = float


        class OandaConnector:
            def place_order[T](self, order: T):
                return None
    '''})
    assert found(root) == [("bot/oanda.py", 6, "TG201")]


READ_CONNECTOR = """
    class OandaConnector:
        def positions(self):
            pass

        def balance(self):
            pass
"""
READS = {
    "closure reads the enclosing result": ("""
        def run(broker):
            res = broker.place_order({})
            def show():
                return res["id"]
            return show
    """, [4]),
    "walrus": ("""
        if (res := broker.place_order({}))["id"]:
            pass
    """, [1]),
    "comprehension variable shadows": ("""
        res = broker.place_order({})
        ids = [res["id"] for res in history]
        again = {res.get("id") for res in history}
    """, []),
    "loop variable shadows": ("""
        res = broker.place_order({})
        for res in history:
            print(res["id"])
    """, []),
    "class-level annotation": ("""
        class Bot:
            venue: OandaConnector

            def run(self):
                return self.venue.positions()["EUR_USD"]
    """, [5]),
    "self attribute rebound to something else": ("""
        class Bot:
            def __init__(self, token):
                self.venue = OandaConnector(token)
                self.venue = PriceCache()

            def run(self):
                return self.venue.positions()["EUR_USD"]
    """, []),
    "a connector taken from a dict of connectors": ("""
        def run(self, venue):
            conn = self.connectors[venue]
            return conn.balance()["NAV"]
    """, [3]),
    "a gateway built from the runtime's class": ("""
        from tradeguard import OrderGateway

        gw = OrderGateway({})
        res = gw.submit("oanda", qty=1)
        print(res["id"])
    """, [5]),
    "methods do not see the class body's names": ("""
        class Bot:
            res = broker.place_order({})

            def run(self):
                return res["id"]
    """, []),
    "augmented and deleted keys are writes": ("""
        res = broker.place_order({})
        res["count"] += 1
        del res["fill"]
    """, []),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_reads_follow_scopes_and_bindings(tmp_path, name):
    source, lines = READS[name]
    root = write(tmp_path, {"bot/strategy.py": source, "bot/connectors/oanda.py": READ_CONNECTOR})
    assert [line for _, line, _ in found(root, use_cache=False)] == lines


# --- fixes keep the layout --------------------------------------------------------------------
def test_moving_payload_keeps_comments_and_the_multi_line_layout(tmp_path):
    example = Invalid('''
        class CoinbaseConnector:
            def place_order(self, order):
                return {  # the v3 reply, reshaped
                    "success": True,
                    "error": None,  # never set on success
                    "order_id": order.id,
                    "data": {
                        "venue": "coinbase",
                    },
                    "status": order.status  # last, no trailing comma
                }
    ''')
    assert fix_example(PayloadAtTopLevel, tmp_path, example) == textwrap.dedent('''
        class CoinbaseConnector:
            def place_order(self, order):
                return {  # the v3 reply, reshaped
                    "success": True,
                    "error": None,  # never set on success
                    "data": {
                        "venue": "coinbase",
                        "order_id": order.id,
                        "status": order.status,
                    }  # last, no trailing comma
                }
    ''').lstrip("\n")


# --- the example project, as a user runs it ----------------------------------------------------
@pytest.fixture
def example_copy(tmp_path):
    for name in ("trading_bot", "trading_bot_fixed"):
        shutil.copytree(REPO / "examples" / name, tmp_path / name, ignore=shutil.ignore_patterns(".tradeguard_cache"))
    return tmp_path


EXAMPLE_FINDINGS = [
    ("trading_bot/bot/backtest/replay_venue.py", 14, "TG201"),   # bare return, in a connector by its base class
    ("trading_bot/bot/backtest/replay_venue.py", 15, "TG201"),   # success without error
    ("trading_bot/bot/connectors/coinbase.py", 20, "TG204"),     # failure without a reason
    ("trading_bot/bot/connectors/coinbase.py", 21, "TG201"),     # no data
    ("trading_bot/bot/connectors/coinbase.py", 21, "TG202"),     # order_id beside success
    ("trading_bot/bot/connectors/ibkr.py", 20, "TG201"),         # None when cancelled
    ("trading_bot/bot/connectors/ibkr.py", 21, "TG201"),         # a tuple
    ("trading_bot/bot/connectors/oanda.py", 22, "TG203"),        # success "false"
    ("trading_bot/bot/connectors/oanda.py", 24, "TG201"),        # the raw v20 reply, at the return
    ("trading_bot/bot/strategies/mean_reversion.py", 33, "TG205"),
    ("trading_bot/bot/strategies/momentum.py", 13, "TG205"),
    ("trading_bot/bot/tools/flatten.py", 11, "TG205"),
]


def test_example_project_connectors_and_callers_through_the_cli(example_copy):
    done = run_cli("check", "trading_bot", "--select", ",".join(RESULT_CODES), "--format", "json", cwd=example_copy)
    assert done.returncode == 1, done.stderr
    assert sorted((f["path"], f["line"], f["code"]) for f in json.loads(done.stdout)) == EXAMPLE_FINDINGS
    fixed = run_cli("check", "trading_bot_fixed", "--select", ",".join(RESULT_CODES), cwd=example_copy)
    assert (fixed.returncode, fixed.stderr) == (0, ""), fixed.stdout


def test_example_project_fixes_through_the_cli(example_copy):
    selected = ("--select", ",".join(RESULT_CODES))
    done = run_cli("check", "trading_bot", *selected, "--fix", "--format", "json", cwd=example_copy)
    venue = (example_copy / "trading_bot/bot/backtest/replay_venue.py").read_text()
    assert 'return {"success": True, "data": self.fills.pop(0), "error": None}' in venue   # safe
    assert "            return\n" in venue                                                # unsafe: not yet

    done = run_cli("check", "trading_bot", *selected, "--fix", "--unsafe-fixes", "--format", "json", cwd=example_copy)
    assert done.returncode == 1, done.stderr
    venue = (example_copy / "trading_bot/bot/backtest/replay_venue.py").read_text()
    assert 'return {"success": False, "error": "place_order returned no result", "data": {}}' in venue
    coinbase = (example_copy / "trading_bot/bot/connectors/coinbase.py").read_text()
    assert 'return {"success": False, "error": "unknown error", "data": reply}' in coinbase
    assert 'return {"success": True, "error": None, "data": {"order_id": reply["success_response"]["order_id"]}}' in coinbase
    left = sorted((f["path"], f["line"], f["code"]) for f in json.loads(done.stdout))
    assert left == [  # what needs a reader: raw replies, a tuple, a string for a bool, the callers
        ("trading_bot/bot/connectors/ibkr.py", 21, "TG201"),
        ("trading_bot/bot/connectors/oanda.py", 22, "TG203"),
        ("trading_bot/bot/connectors/oanda.py", 24, "TG201"),
        ("trading_bot/bot/strategies/mean_reversion.py", 33, "TG205"),
        ("trading_bot/bot/strategies/momentum.py", 13, "TG205"),
        ("trading_bot/bot/tools/flatten.py", 11, "TG205"),
    ]


def test_tg205_prefilter_is_the_same_in_every_process(tmp_path):
    """The pattern is a fact the results cache compares between runs: built from a set, it must
    not depend on the process's string hashing, or every warm run re-checks the project."""
    root = write(tmp_path, {
        f"bot/connectors/{name.lower()}.py": f"class {name}:\n    def place_order(self, order):\n        return order\n"
        for name in ("Oanda", "Kraka", "Alpac", "Binan", "Coinb")
    }, 'connector-paths = ["bot/connectors/**"]\n')
    script = textwrap.dedent(f"""
        from pathlib import Path
        from lint_rules.config import load_config
        from lint_rules.runner import Project
        from lint_rules.rules.results.tg205_payload_read_at_top_level import _prefilter
        config = load_config(Path({str(root)!r}))
        project = Project(config, use_cache=False)
        project.build_index(sorted(Path({str(root)!r}).rglob("*.py")))
        prefilter = _prefilter(project.context("bot/x.py", ""))
        print([(gate.pattern.pattern, gate.words) for gate in (*prefilter.direct.parts, *prefilter.connector.parts)], prefilter.interface_call.pattern)
    """)
    patterns = {
        subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(patterns) == 1 and "Oanda" in patterns.pop()
