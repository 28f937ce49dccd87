"""Reading the example strings out of Go test sources (gitleaks rules, trufflehog detector tests).

The peers keep their examples as Go expressions: string literals, concatenations, `fmt.Sprintf`,
and, in gitleaks, strings generated from a regex (`secrets.NewSecret(utils.AlphaNumeric("30"))`).
This module evaluates the small subset of Go those expressions use: literals, `+`, calls of the
helpers listed in `CALLS`, composite literals (`[]string{...}`, `map[string]string{...}`, struct
elements with `key: value`), `append(xs, ys...)` and variables assigned earlier in the file. An
expression outside that subset evaluates to None and its example is skipped, never guessed.

A regex is turned into an example string by `random_match`, over Python's own regex parser.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from typing import Any

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
    from re import _constants as sre_constants  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<raw>`[^`]*`)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<rune>'(?:[^'\\\n]|\\.)+')
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>\.\.\.|:=|==|!=|&&|\|\||[-+*/%(){}\[\],:;=<>!&|.^])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "0": "\0", "a": "\a", "b": "\b"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(source: str) -> list[Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(source):
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group()))
    return tokens


def _unquote(text: str) -> str:
    if text.startswith("`"):
        return text[1:-1]
    body = text[1:-1]
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            nxt = body[index + 1]
            if nxt == "x":
                out.append(chr(int(body[index + 2: index + 4], 16)))
                index += 4
                continue
            if nxt == "u":
                out.append(chr(int(body[index + 2: index + 6], 16)))
                index += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


# -- regex -> a random string it matches ------------------------------------------------------

_CATEGORY_CHARS = {
    sre_constants.CATEGORY_DIGIT: string.digits,
    sre_constants.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre_constants.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    sre_constants.CATEGORY_NOT_WORD: "-",
}
_PRINTABLE = string.ascii_letters + string.digits + "-_."


def random_match(pattern: str, rng: random.Random) -> str | None:
    """A random string matched by `pattern` (bounded repeats taken at random, unbounded ones short)."""
    try:
        parsed = sre_parse.parse(pattern.replace("(?i)", ""))
    except Exception:  # noqa: BLE001 - Go syntax Python does not read: skip the example
        return None
    try:
        return _generate(parsed, rng)
    except (KeyError, ValueError, TypeError):
        return None


def _class_chars(items: list, rng: random.Random) -> str:
    chars: list[str] = []
    negate = False
    for op, value in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            chars.append(chr(value))
        elif op is sre_constants.RANGE:
            chars.extend(chr(code) for code in range(value[0], value[1] + 1))
        elif op is sre_constants.CATEGORY:
            chars.extend(_CATEGORY_CHARS[value])
    if negate:
        return "".join(char for char in _PRINTABLE if char not in chars)
    return "".join(chars)


def _generate(parsed: Any, rng: random.Random) -> str:
    out = []
    for op, value in parsed:
        if op is sre_constants.LITERAL:
            out.append(chr(value))
        elif op is sre_constants.NOT_LITERAL:
            out.append(rng.choice([char for char in _PRINTABLE if ord(char) != value]))
        elif op is sre_constants.ANY:
            out.append(rng.choice(_PRINTABLE))
        elif op is sre_constants.IN:
            out.append(rng.choice(_class_chars(value, rng)))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, sub = value
            high = low + 8 if high == sre_constants.MAXREPEAT else high
            out.extend(_generate(sub, rng) for _ in range(rng.randint(low, high)))
        elif op is sre_constants.SUBPATTERN:
            out.append(_generate(value[-1], rng))
        elif op is sre_constants.BRANCH:
            out.append(_generate(rng.choice(value[1]), rng))
        elif op is sre_constants.CATEGORY:
            out.append(rng.choice(_CATEGORY_CHARS[value]))
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue
        else:
            raise ValueError(op)
    return "".join(out)


# -- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """`utils.GenerateSampleSecrets("stripe", s)`: a secret the peer places under a name it gives."""

    identifier: str
    secret: str


class Evaluator:
    """Evaluates expressions of one Go file, remembering its variables as it goes."""

    def __init__(self, tokens: list[Token], rng: random.Random) -> None:
        self.tokens = tokens
        self.rng = rng
        self.variables: dict[str, Any] = {}
        # Every assignment that evaluated, in order: (name, operator, value).
        self.assignments: list[tuple[str, str, Any]] = []

    # Helpers the peers call in their examples; anything else is unknown (None).
    def _call(self, name: str, args: list[Any]) -> Any:
        short = name.rsplit(".", 1)[-1]
        sizes = {"Numeric": "[0-9]", "Hex": "[a-f0-9]", "AlphaNumeric": "[a-z0-9]",
                 "AlphaNumericExtendedShort": "[a-z0-9_-]", "AlphaNumericExtended": "[a-z0-9=_\\-]",
                 "AlphaNumericExtendedLong": "[a-z0-9\\/=_\\+\\-]"}
        if short in sizes and len(args) == 1 and isinstance(args[0], str):
            return f"{sizes[short]}{{{args[0]}}}"
        if short == "Hex8_4_4_4_12":
            return "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        if short == "NewSecret" and len(args) == 1 and isinstance(args[0], str):
            return random_match(args[0], self.rng)
        if short == "Sprintf" and args and isinstance(args[0], str):
            return _sprintf(args[0], args[1:])
        if short == "Repeat" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], int):
            return args[0] * args[1]
        if short == "GenerateSampleSecrets" and len(args) == 2 and all(isinstance(a, str) for a in args):
            return [Named(args[0], args[1])]
        if short == "GenerateSampleSecret" and len(args) == 2 and all(isinstance(a, str) for a in args):
            return f'{args[0]}_api_token = "{args[1]}"'  # gitleaks' one line, exactly as it writes it
        if short == "append" and args and isinstance(args[0], list):
            out = list(args[0])
            for arg in args[1:]:
                out.extend(arg if isinstance(arg, list) else [arg])
            return out
        if short in ("ToUpper", "ToLower") and len(args) == 1 and isinstance(args[0], str):
            return args[0].upper() if short == "ToUpper" else args[0].lower()
        if short == "string" and len(args) == 1:
            return args[0]
        return None

    def parse_expression(self, index: int) -> tuple[Any, int]:
        value, index = self._term(index)
        while index < len(self.tokens) and self.tokens[index].text == "+":
            right, index = self._term(index + 1)
            value = value + right if isinstance(value, str) and isinstance(right, str) else None
        return value, index

    def _term(self, index: int) -> tuple[Any, int]:
        token = self.tokens[index]
        if token.kind in ("str", "raw"):
            return _unquote(token.text), index + 1
        if token.kind == "num":
            return (int(token.text) if token.text.isdigit() else float(token.text)), index + 1
        if token.text == "(":
            value, index = self.parse_expression(index + 1)
            return value, index + 1
        if token.text == "[" or token.text == "map":
            return self._composite(index)
        if token.text == "{":
            return self._braces(index)
        if token.kind == "ident":
            if index + 1 < len(self.tokens) and self.tokens[index + 1].text == "(":
                args, index = self._arguments(index + 2)
                return self._call(token.text, args), index
            if self.tokens[index + 1].text == "{" and token.text.rsplit(".", 1)[-1][:1].isupper():
                return self._braces(index + 1)
            if token.text in ("true", "false"):
                return token.text == "true", index + 1
            if token.text == "nil":
                return [], index + 1
            return self.variables.get(token.text), index + 1
        return None, index + 1

    def _arguments(self, index: int) -> tuple[list[Any], int]:
        args = []
        while self.tokens[index].text != ")":
            value, index = self.parse_expression(index)
            args.append(value)
            if self.tokens[index].text == "...":
                index += 1
            if self.tokens[index].text == ",":
                index += 1
        return args, index + 1

    def _composite(self, index: int) -> tuple[Any, int]:
        """`[]string{...}`, `map[string]string{...}`, `[]struct{...}{...}`: skip the type, read the braces."""
        while self.tokens[index].text != "{":
            if self.tokens[index].text == "(":  # a conversion: `[]byte("...")`
                args, index = self._arguments(index + 1)
                return (args[0] if args else None), index
            if self.tokens[index].text == "struct":
                index = skip_braces(self.tokens, index + 1)
                continue
            index += 1
        return self._braces(index)

    def _braces(self, index: int) -> tuple[Any, int]:
        """`{a, b}` -> list; `{k: v, ...}` -> dict (keys evaluated: strings or field names)."""
        items: list[Any] = []
        fields: dict[Any, Any] = {}
        index += 1
        while self.tokens[index].text != "}":
            token = self.tokens[index]
            if token.kind == "ident" and self.tokens[index + 1].text == ":":
                key: Any = token.text
                index += 2
            else:
                key, index = self.parse_expression(index)
                if self.tokens[index].text == ":":
                    index += 1
                else:
                    items.append(key)
                    key = _NO_KEY
            if key is not _NO_KEY:
                fields[key], index = self.parse_expression(index)
            if self.tokens[index].text == ",":
                index += 1
        return (fields if fields else items), index + 1

    def run(self) -> None:
        """Evaluate every `name := expr` / `name = expr` in order, keeping what evaluates."""
        index = 0
        while index < len(self.tokens) - 2:
            token, operator = self.tokens[index], self.tokens[index + 1]
            if token.kind == "ident" and operator.text in (":=", "=") and (index == 0 or self.tokens[index - 1].text != "."):
                try:
                    value, end = self.parse_expression(index + 2)
                except (IndexError, RecursionError):
                    value, end = None, index + 2
                if value is not None:
                    self.variables[token.text] = value
                    self.assignments.append((token.text, operator.text, value))
                index = max(end, index + 2)
                continue
            index += 1


_NO_KEY = object()


def skip_braces(tokens: list[Token], index: int) -> int:
    """The index after the brace block opening at or after `index`."""
    while tokens[index].text != "{":
        index += 1
    depth = 0
    while True:
        if tokens[index].text == "{":
            depth += 1
        elif tokens[index].text == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1


def _sprintf(fmt: str, args: list[Any]) -> str | None:
    values = iter(args)
    try:
        out = re.sub(r"%[-+ #0-9.]*([svdqx%])", lambda m: "%" if m.group(1) == "%" else _format(m.group(1), next(values)), fmt)
    except (StopIteration, TypeError):
        return None
    return out


def _format(verb: str, value: Any) -> str:
    if value is None:
        raise TypeError("unknown argument")
    if verb == "q":
        return '"' + str(value) + '"'
    return str(value)


def evaluate_file(source: str, rng: random.Random) -> Evaluator:
    evaluator = Evaluator(tokenize(source), rng)
    evaluator.run()
    return evaluator
