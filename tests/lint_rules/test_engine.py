"""The engine on hostile input: bounded before LibCST sees it, in workers too; the read-only walk."""

import json
from pathlib import Path

import pytest

from lint_rules.lazy import cst
from lint_rules.source import MAX_LINES, Unreadable, check_bounds
from lint_rules.walk import walk
from tests.conftest import run_cli

ORDER_CALL = "def go(broker):\n    return broker.place_order('EUR_USD', 1)\n"


def test_absurd_nesting_is_tg000_and_every_other_file_is_still_checked(tmp_path):
    """2,000 nested brackets crashed LibCST (exit 139; BrokenProcessPool with workers), an
    expression 5,000 deep ran for hours. Ten more files make the run use worker processes."""
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard]\n")
    hostile = {
        "brackets_2000.py": "x = " + "(" * 2000 + "1" + ")" * 2000 + "\nbroker.place_order(1)\n",
        "brackets_100000.py": "x = " + "[" * 100_000 + "\nbroker.place_order(1)\n",
        "chain_5000.py": "x = " + " + ".join(["place_order"] * 5000) + "\n",
    }
    for name, text in hostile.items():
        (tmp_path / name).write_text(text)
    for number in range(10):
        (tmp_path / f"strategy_{number}.py").write_text(ORDER_CALL)
    done = run_cli("check", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    found = {(f["path"], f["code"]) for f in json.loads(done.stdout)}
    assert found == {(name, "TG000") for name in hostile} | {(f"strategy_{n}.py", "TG101") for n in range(10)}
    messages = {f["path"]: f["message"] for f in json.loads(done.stdout)}
    assert all("too deeply nested" in messages[name] for name in hostile)


def test_too_many_lines_is_refused_before_parsing():
    with pytest.raises(Unreadable, match=f"file too long .*the limit is {MAX_LINES}"):
        check_bounds("x = 1\n" * (MAX_LINES + 1))


def test_ordinary_deep_code_is_within_bounds():
    check_bounds("x = " + "(" * 50 + "1" + ")" * 50 + "\n" + "y = " + " + ".join(["a"] * 150) + "\n")
    check_bounds("s = '(((((' * 300\n# ]]]]]]]]\n")  # brackets in strings and comments do not count


WALKED = '''
import a.b as c

@decorator(arg)
async def f(x: int = 1, /, *args, y=lambda: 0, **kw) -> "T":
    """Doc."""
    value = a if b else c
    values = [i async for i in x if i] + {k: v for k, v in y.items()}
    match value:
        case {"k": [1, *rest]} if rest:
            pass
    try:
        await g(f"{x!r:>{width}}", *args, key=value[1:2, ::3])
    except (E1, E2) as error:
        raise Other() from error
    with open(p) as fh, other():
        del fh.attr
    return not -x or y @ z

class C(Base, metaclass=M):
    x: int = 1
    for i in range(3):
        x += i
    else:
        x = (yield)
'''


def test_walk_visits_what_libcst_visits_in_the_same_order():
    module = cst.parse_module(WALKED)
    expected: list[str] = []

    class Recorder(cst.CSTVisitor):
        def on_visit(self, node):
            expected.append(f"enter {type(node).__name__}")
            return True

        def on_leave(self, node):
            expected.append(f"leave {type(node).__name__}")

    module.visit(Recorder())
    layout = (cst.BaseParenthesizableWhitespace, cst.EmptyLine, cst.TrailingWhitespace, cst.Newline, cst.Comment,
              cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
              cst.RightCurlyBrace, cst.Comma, cst.Semicolon, cst.Colon, cst.AssignEqual, cst.Dot)
    layout_names = {cls.__name__ for cls in vars(cst).values() if isinstance(cls, type) and issubclass(cls, layout)}
    names = {entry.split()[1] for entry in expected} - layout_names
    seen: list[str] = []
    visits = {name: [lambda node: seen.append(f"enter {type(node).__name__}")] for name in names}
    leaves = {name: [lambda node: seen.append(f"leave {type(node).__name__}")] for name in names}
    walk(module, visits, leaves)
    assert seen == [entry for entry in expected if entry.split()[1] in names]
    assert len(seen) > 150

