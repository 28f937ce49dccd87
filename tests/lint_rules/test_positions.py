"""Positions of reported nodes: exactly LibCST's ``PositionProvider``, at a fraction of its cost."""

import random
import time
from pathlib import Path

import pytest

from lint_rules import positions
from lint_rules.lazy import cst

ROOT = Path(__file__).resolve().parents[2]
# Every kind of statement and most expressions: decorators, async, match, try/except*, walrus,
# f-strings, semicolons, continuation lines, comments between decorators, a one-line suite.
SHAPES = '''\
"""Module docstring."""
import os, sys as system
from . import thing  # comment


@decorator
# between decorators
@other(1, key=[x for x in range(3) if x])
async def go(a, /, b: int = 2, *args, c, **kw) -> dict[str, int]:
    async with lock as held, other:
        async for item in items:
            yield (item := item + 1)
    return {"a": f"{a!r:>{b}}", **kw}


class Broker(Base, metaclass=Meta):
    value: int = 1
    def place(self): return self.value; pass

    @property
    def total(self):
        try:
            x = (1 +
                 2)
        except* ValueError as error:
            raise Other() from error
        else:
            pass
        finally:
            del x
        match self.value:
            case [1, *rest] | {"k": _}:
                return lambda y=1: y if y else -y
            case Point(x=0) if True:
                while False:
                    continue
        return None
if __name__ == "__main__": go(1, c=2)
'''


def _sources() -> list[tuple[str, str]]:
    files = [SHAPES] + [(ROOT / name).read_text(encoding="utf-8") for name in ("lint_rules/index.py", "lint_rules/fixer.py")]
    variants = []
    for number, text in enumerate(files):
        variants += [(f"{number}", text), (f"{number}-crlf", text.replace("\n", "\r\n")), (f"{number}-no-final-newline", text.rstrip("\n"))]
    return variants


def _reference(module) -> dict:
    from libcst.metadata import MetadataWrapper, PositionProvider

    return dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))


@pytest.mark.parametrize(("name", "text"), _sources(), ids=[name for name, _ in _sources()])
def test_ranges_are_those_of_position_provider_for_every_node_and_for_a_few(name, text):
    module = cst.parse_module(text)
    expected = _reference(module)
    assert positions.ranges_of(module, expected) == expected
    # A few nodes: those whose range is borrowed from a child (a statement ends where its body
    # ends) must still be right when that child was not asked for.
    some = random.Random(name).sample(list(expected), 25)
    assert positions.ranges_of(module, some) == {node: expected[node] for node in some}


def test_a_finding_near_the_top_stops_the_codegen_early_and_costs_less_than_position_provider():
    text = (ROOT / "lint_rules/fixer.py").read_text(encoding="utf-8") * 4
    module = cst.parse_module(text)
    first = module.body[0]
    started = time.process_time()
    found = positions.ranges_of(module, [first])
    ours = time.process_time() - started
    started = time.process_time()
    expected = _reference(module)[first]
    theirs = time.process_time() - started
    assert found == {first: expected}
    assert ours * 5 < theirs, (ours, theirs)


def test_a_node_from_another_tree_raises_as_position_provider_does():
    module, other = cst.parse_module("x = 1\n"), cst.parse_module("y = 2\n")
    with pytest.raises(KeyError):
        positions.ranges_of(module, [other.body[0]])
