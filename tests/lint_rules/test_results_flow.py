"""The two readings of "what does a return hold" (``ast`` for the index, LibCST for the rules) agree
on every example of the canonical-result rules and on odd code; and the connector model."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import libcst
import pytest

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.examples import example_text
from lint_rules.index import ProjectIndex, summarize_source
from lint_rules.rules import all_rules
from lint_rules.rules.results.connectors import connector_model
from lint_rules.rules.results.flow import AstSyntax, CstSyntax, follow, return_facts, scan_ast, scan_cst

ODD = {
    "walrus": """
        def f(self, order):
            if (reply := self.api.send(order)) is None:
                return None
            return reply
    """,
    "walrus in a comprehension binds the function's name": """
        def f(items):
            picked = [last := item for item in items]
            return last
    """,
    "comprehension target is its own": """
        def f(rows):
            row = {"success": True, "error": None, "data": {}}
            ids = [row for row in rows]
            return row
    """,
    "piecewise mutation": """
        def f():
            result = {}
            result["success"] = True
            other = {"success": True}
            other.update(error=None, data={})
            return result if result else other
    """,
    "augmented and deleted": """
        def f(a):
            n = 1
            n += a
            d = {"x": 1}
            del d["x"]
            return n or d
    """,
    "loop, with and except bindings": """
        def f(self):
            for reply in self.replies:
                pass
            with self.lock as held:
                pass
            try:
                pass
            except ValueError as exc:
                return exc
            return reply or held
    """,
    "nested scopes": """
        def f(self):
            def inner():
                return 1
            value = lambda: 2
            class Local:
                def m(self):
                    return 3
            return inner() or value
    """,
    "a variable bound to a variable": """
        def f(self):
            first = {"success": True, "error": None, "data": {}}
            second = first
            if self.x:
                second = self.api.call()
            return second
    """,
    "generator": """
        def f(self):
            yield 1
            return 2
    """,
}


def _cst_code(node) -> str:
    return ast.unparse(ast.parse(libcst.Module([]).code_for_node(node).strip(), mode="eval").body)


def _readings(function, scan, syntax, show):
    flow = scan(function)
    returns = []
    for statement in flow.returns:
        if statement.value is None:
            returns.append("bare")
            continue
        followed = follow(flow, statement.value, syntax)
        returns.append((followed.complete, sorted((show(node), via) for node, via in followed.terminals)))
    return {"returns": returns, "yields": flow.yields, "mutated": sorted(flow.mutated), "exceptions": sorted(flow.exceptions)}


def _ast_functions(text: str) -> dict:
    found = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{item.name}"] = item
    tree = ast.parse(text)
    found.update({item.name: item for item in tree.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))})
    return found


def _cst_functions(text: str) -> dict:
    module = libcst.parse_module(text)
    found = {}

    class Collect(libcst.CSTVisitor):
        def visit_ClassDef(self, node) -> None:
            for item in node.body.body:
                if isinstance(item, libcst.FunctionDef):
                    found[f"{node.name.value}.{item.name.value}"] = item

    module.visit(Collect())
    found.update({item.name.value: item for item in module.body if isinstance(item, libcst.FunctionDef)})
    return found


def _sources():
    result_rules = [rule for rule in all_rules() if rule.code.startswith("TG2")]
    for rule in result_rules:
        for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID)):
            for number, example in enumerate(examples):
                texts = [example.code, *example.files.values()]
                texts += [example.expected_fix] if getattr(example, "expected_fix", None) else []
                for part, text in enumerate(texts):
                    yield pytest.param(example_text(text), id=f"{rule.code}-{kind}-{number}-{part}")
    for name, text in ODD.items():
        yield pytest.param(example_text(text), id=name)


@pytest.mark.parametrize("text", list(_sources()))
def test_ast_and_libcst_readings_of_returns_agree(text):
    ast_functions, cst_functions = _ast_functions(text), _cst_functions(text)
    assert ast_functions.keys() == cst_functions.keys()
    for name in ast_functions:
        assert _readings(ast_functions[name], scan_ast, AstSyntax, ast.unparse) == _readings(
            cst_functions[name], scan_cst, CstSyntax, _cst_code
        ), name


@pytest.mark.parametrize("text", list(_sources()))
def test_the_index_reads_returns_alike_by_statements_where_the_text_allows(text):
    # With the function's text, the index skips the expressions of functions that cannot hold a
    # `yield`, a `:=` or a mutator call; it must come to the same facts as the whole scan.
    for name, function in _ast_functions(text).items():
        source = ast.get_source_segment(text, function) or ""
        assert return_facts(function, source) == return_facts(function), name


def test_the_statement_scan_is_taken_only_where_no_expression_fact_can_hide():
    text = example_text("""
        def f(self):
            reply = self.api.send()
            return reply

        def g(self):
            reply = {"success": True}
            reply.update(extra)
            return reply

        def h(self):
            yield 1
            return 2
    """)
    facts = {name: return_facts(function, ast.get_source_segment(text, function)) for name, function in _ast_functions(text).items()}
    assert facts == {"f": ["call:self.api.send"], "g": ["other"], "h": []}


def test_odd_readings_say_what_is_followed():
    def reading(name):
        function = next(iter(_ast_functions(example_text(ODD[name])).values()))
        return _readings(function, scan_ast, AstSyntax, ast.unparse)["returns"]

    assert reading("walrus") == [(True, [("None", None)]), (True, [("self.api.send(order)", "reply")])]
    assert reading("piecewise mutation") == [(False, [])]
    assert reading("comprehension target is its own") == [(True, [("{'success': True, 'error': None, 'data': {}}", "row")])]
    assert reading("a variable bound to a variable") == [(True, sorted([
        ("{'success': True, 'error': None, 'data': {}}", "first"), ("self.api.call()", "second"),
    ]))]
    assert reading("loop, with and except bindings") == [(False, []), (False, [])]


# --- the connector model -----------------------------------------------------------------------
PROJECT = {
    "venues/base.py": """
        class ExchangeBase:
            def buy(self, pair, amount):
                raise NotImplementedError

            def supported_order_types(self):
                return []

            @property
            def ready(self):
                return True
    """,
    "venues/kraken/kraken_exchange.py": """
        from venues.base import ExchangeBase

        class KrakenExchange(ExchangeBase):
            def buy(self, pair, amount):
                return self._send(pair, amount)

            def supported_order_types(self):
                return ["LIMIT"]

            def extra_public(self):
                return 1

            @property
            def ready(self):
                return False

            def place_order(self, order):
                return order
    """,
    "venues/kraken/kraken_auth.py": "class KrakenAuth:\n    def sign(self, request):\n        return request\n",
    "venues/kraken/kraken_book.py": "class KrakenBookSource:\n    async def listen(self):\n        return\n",
    "venues/kraken/kraken_ws.py": "class KrakenWs:\n    def place_order(self, o):\n        return o\n\n    def close(self):\n        pass\n",
    "bot/named.py": """
        import enum
        import unittest

        class PaperConnector:
            def fill(self):
                return 1

            def _private(self):
                return 2

        class Connector(enum.Enum):
            A = 1

        class TestPaperConnector(unittest.TestCase):
            def test_fill(self):
                pass
    """,
}


def interfaces(**config) -> dict[tuple[str, str], list[str]]:
    summaries = {rel: summarize_source(textwrap.dedent(text)) for rel, text in PROJECT.items()}
    settings = Config(root=Path("."), connector_paths=("venues/**",), connector_bases=("ExchangeBase",), **config)
    model = connector_model(FileContext("x.py", "", settings, ProjectIndex.for_config(settings, summaries)))
    return {
        (rel, cls["name"]): sorted(model.interface(rel, cls))
        for rel, summary in summaries.items()
        for cls in summary["classes"]
        if model.interface(rel, cls)
    }


def test_connectors_and_their_interfaces():
    assert interfaces() == {
        # derives from the base: order methods and public overrides, not other public methods
        ("venues/kraken/kraken_exchange.py", "KrakenExchange"): ["buy", "place_order", "supported_order_types"],
        # in a connector path with an order method: every public method
        ("venues/kraken/kraken_ws.py", "KrakenWs"): ["close", "place_order"],
        ("bot/named.py", "PaperConnector"): ["fill"],
    }


def test_connector_methods_name_the_interface():
    assert interfaces(connector_methods=("buy",)) == {
        ("venues/kraken/kraken_exchange.py", "KrakenExchange"): ["buy", "place_order"],
        ("venues/kraken/kraken_ws.py", "KrakenWs"): ["place_order"],
    }
