"""Cython files (`.pyx`, `.pxd`): TG101 by a token scan, classes in the index, nothing else."""

import json
import textwrap

from lint_rules.cython import blank_strings_and_comments, summarize_cython
from lint_rules.runner import check_paths
from tests.conftest import run_cli

PYPROJECT = """\
[tool.tradeguard]
connector-paths = ["bot/connector/**"]
gateway-classes = ["ExecutorBase"]

[tool.tradeguard.per-file-ignores]
"test/**" = ["TG101"]
"""

MAKER = '''\
# cython: language_level=3
from bot.strategy.strategy_base cimport StrategyBase

cdef class CrossMaker(StrategyBase):
    """Hedges on the taker: self.taker.place_order(x) in a docstring is prose."""

    cdef str c_hedge(self, object pair, object amount):
        label = "self.taker.place_order("  # and self.taker.place_order( in a comment
        return self.markets[pair.taker].place_order(
            pair.symbol, amount)

    cdef c_quote(self):
        self.place_order(1)
        self.taker.place_order(2)  # noqa: TG101 -- the paper taker of the replay tool
        cdef bint paper = False


cdef class PaperMaker(ExecutorBase):
    def tick(self):
        self.place_order(self.market, 1)
'''


def project(tmp_path, files):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    for rel, code in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    return tmp_path


def found(root):
    result = check_paths([root], use_cache=False)
    return sorted((f.path.rsplit(root.name + "/", 1)[-1], f.line, f.column, f.code) for f in result.findings)


def test_order_calls_in_cython_are_found_by_a_token_scan(tmp_path):
    root = project(tmp_path, {
        "bot/strategy/cross_maker.pyx": MAKER,
        "bot/connector/exchange.pyx": "cdef class Exchange:\n    def go(self):\n        self.client.place_order(1)\n",
        "test/test_maker.pyx": "def test(m):\n    m.place_order(1)\n",
    })
    # the multi-line call on its receiver; `self.place_order` of a class that is neither a
    # connector nor a gateway class and does not define it; not the docstring, string, comment,
    # suppressed line, connector path, test ignore, nor the gateway class's inherited method;
    # no other rule reads Cython (the `paper = False` is not TG401), and no TG000
    assert found(root) == [
        ("bot/strategy/cross_maker.pyx", 9, 16, "TG101"),
        ("bot/strategy/cross_maker.pyx", 13, 9, "TG101"),
    ]


def test_cython_classes_join_the_class_chains_of_python_files(tmp_path):
    root = project(tmp_path, {
        "bot/strategy/strategy_py_base.pyx": "cdef class StrategyPyBase(ExecutorBase):\n    pass\n",
        "scripts/simple.py": (
            "from bot.strategy.strategy_py_base import StrategyPyBase\n\n"
            "class Simple(StrategyPyBase):\n    def on_tick(self):\n        self.place_order('binance', 1)\n"
        ),
    })
    assert found(root) == []
    summary = summarize_cython("cdef class A(B, C):\n    cdef int x\n    cpdef object go(self):\n        pass\n\ndef helper():\n    pass\n")
    assert summary["classes"] == [{"name": "A", "bases": ["B", "C"], "methods": ["go"], "kinds": {}, "uses": []}]
    assert summary["functions"] == ["helper"]


def test_blanking_keeps_positions():
    text = 'x = "a.place_order(" # b.place_order(\ny = 1\n'
    blanked = blank_strings_and_comments(text)
    assert len(blanked) == len(text) and blanked.count("\n") == 2 and "place_order" not in blanked


def test_cython_through_the_cli_with_secrets_and_cache(tmp_path):
    root = project(tmp_path, {"bot/strategy/cross_maker.pyx": MAKER})
    for _ in range(2):  # cold, then from the cache
        done = run_cli("check", ".", "--format", "json", cwd=root)
        assert done.returncode == 1, done.stderr
        assert [(f["line"], f["code"]) for f in json.loads(done.stdout)] == [(9, "TG101"), (13, "TG101")]
