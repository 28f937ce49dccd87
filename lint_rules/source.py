"""Reading a file into text, or saying in one line why it cannot be checked (TG000).

Everything here bounds the work one file can cost before LibCST sees it: only regular files are
read (a FIFO or a link to ``/dev/zero`` would hang the run), and size, line count and nesting
have limits far above real code (the largest files of hummingbot, freqtrade and nautilus_trader
have 12,000 lines, 420 KiB, brackets 11 deep and syntax trees 51 deep), but below what makes
LibCST crash (2,000 nested brackets overflow its stack) or run for minutes (its time grows with
the cube of an expression's depth, and a 30,000-line file takes it 10 s).
"""

from __future__ import annotations

import codecs
import os
import re
import stat

MAX_FILE_BYTES = 1024 * 1024   # generated or vendored code beyond this is not hand-written trading code
MAX_LINES = 20_000
MAX_BRACKET_NESTING = 100     # CPython itself stops at 200
MAX_TREE_DEPTH = 200

# PEP 263: a coding cookie on one of the first two lines.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class Unreadable(Exception):
    """The file cannot be checked; the message says why, never quoting its content."""

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason, line, column)  # all in args, so it survives pickling to workers
        self.reason = reason
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.reason


class NotRegularFile(OSError):
    """A path that names a FIFO, a device or a socket (or a link to one): never read."""


def read_source(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, at most ``limit`` + 1 of them (enough for the caller to say
    the file is too large). Raises ``NotRegularFile`` for anything else, without blocking on
    it, and ``OSError`` when it cannot be read."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer. The check is on the opened file,
    # so a path swapped for a FIFO after listing is still refused.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(f"not a regular file ({file_kind(mode)})")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "not a regular file"


def decode_source(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"file too large ({len(data) // 1024} KiB; the limit is {MAX_FILE_BYTES // 1024} KiB)")
    if b"\0" in data[:8192]:
        raise Unreadable("binary file (NUL bytes), not Python source")
    encoding = _declared_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise Unreadable(f"not valid {encoding} (byte 0x{data[error.start]:02x} on line {line})") from None
    return text.removeprefix("\ufeff")


def _declared_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            name = match.group(1).decode("ascii", "replace")
            try:
                return codecs.lookup(name).name
            except LookupError:
                raise Unreadable(f"unknown encoding {name!r} declared") from None
    return "utf-8"


# Strings and comments (skipped), brackets and newlines (group 1): enough to follow nesting.
_TOKENS = re.compile(
    r"""#[^\n]*|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|([][(){}\n])""",
    re.S,
)
# A statement shorter than this cannot be deep enough to cost LibCST much (each level of an
# expression takes at least two characters); longer ones (large literal tables, mostly) have
# their syntax tree measured.
MAX_CHEAP_STATEMENT = 2_000


def check_bounds(text: str) -> None:
    """Raise ``Unreadable`` if the text is beyond what LibCST can be given safely and quickly.

    A scan of brackets costs a fifteenth of an ``ast`` parse, so the tree is measured only for
    files with a statement long enough to be deep.
    """
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise Unreadable(f"file too long ({lines} lines; the limit is {MAX_LINES})")
    if _longest_statement(text) > MAX_CHEAP_STATEMENT:
        _check_tree_depth(text)


def _longest_statement(text: str) -> int:
    """The length of the longest run of text between newlines outside brackets; raises
    ``Unreadable`` for brackets nested deeper than ``MAX_BRACKET_NESTING``."""
    depth = start = longest = 0
    for match in _TOKENS.finditer(text):
        token = match.group(1)
        if token is None:
            continue
        if token == "\n":
            if depth == 0:
                longest = max(longest, match.start() - start)
                start = match.start()
        elif token in "([{":
            depth += 1
            if depth > MAX_BRACKET_NESTING:
                raise Unreadable(f"too deeply nested (more than {MAX_BRACKET_NESTING} levels of brackets)")
        elif depth:
            depth -= 1
    return max(longest, len(text) - start)


def _check_tree_depth(text: str) -> None:
    import ast  # here: the secret scanner reads files through this module and parses nothing

    too_deep = f"too deeply nested (syntax tree deeper than {MAX_TREE_DEPTH} levels)"
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return  # newer syntax than this Python's `ast` knows, or an error LibCST will name
    except (RecursionError, MemoryError, ValueError):
        raise Unreadable(too_deep) from None
    depth, level, children = 0, [tree], ast.iter_child_nodes
    while level:  # level by level: no recursion, whatever the depth
        depth += 1
        if depth > MAX_TREE_DEPTH:
            raise Unreadable(too_deep)
        level = [child for node in level for child in children(node)]
