"""Reading a file into text, or saying in one line why it cannot be checked (TG000)."""

from __future__ import annotations

import codecs
import re

MAX_FILE_BYTES = 2 * 1024 * 1024  # generated or vendored code beyond this is not hand-written trading code

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
