"""What the plugins read of a file: one or more views of its text.

Most files are read as they are. Two formats hide their secrets behind an encoding:

- A Jupyter notebook stores cell sources and outputs as JSON strings, so quotes arrive escaped
  (``\\"``). Its view un-escapes every line in place, keeping lengths (so columns stay true),
  and blanks image outputs (``"image/png": ...``), whose base64 is noise.
- A Kubernetes ``Secret`` stores its ``data:`` values base64-encoded. Each value is decoded
  and scanned on its own, reported on the line that holds it. The manifest itself declares
  these values secret: a value no detector types is still reported, as a Kubernetes Secret
  value, unless it is a placeholder or its key names an identifier (`username`, `host`).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from collections.abc import Iterator

from hooks.secrets.syntax import CODE_EXTENSIONS


@dataclass(frozen=True, slots=True)
class View:
    text: str = field(repr=False)  # holds the file's secrets, decoded ones too: never in a repr
    is_code: bool
    # Where every finding of this view is reported (line, column), when its text is derived
    # from one spot of the file rather than laid out like it.
    anchor: tuple[int, int] | None = None
    note: str = ""
    # 1-based lines whose findings another view reports (the encoded form of a decoded value).
    skip_lines: frozenset[int] = field(default_factory=frozenset)
    # (key, value) when the file declares this view's text a secret (a Kubernetes Secret's
    # `data:` entry): reported even if no detector types it.
    declared: tuple[str, str] | None = field(default=None, repr=False)


def views(path: str, text: str) -> list[View]:
    extension = os.path.splitext(path)[1].lower()
    if extension == ".ipynb":
        return [View(notebook_text(text), is_code=True)]
    is_code = extension in CODE_EXTENSIONS
    if extension in (".yaml", ".yml") and _SECRET_KIND_RE.search(text):
        decoded = list(kubernetes_secret_values(text))
        if decoded:
            skip = frozenset(entry.line for entry in decoded)
            return [View(text, is_code, skip_lines=skip)] + [
                View(entry.shown, is_code=False, anchor=(entry.line, entry.column),
                     note="base64-decoded from a Kubernetes Secret", declared=(entry.key, entry.value))
                for entry in decoded
            ]
    return [View(text, is_code)]


# -- notebooks ----------------------------------------------------------------------------------

_JSON_ESCAPE_RE = re.compile(r'\\(["\\/bfnrt])')
_ESCAPED = {'"': ' "', "\\": " \\", "/": " /", "b": "  ", "f": "  ", "n": "  ", "r": "  ", "t": "  "}
_IMAGE_KEY_RE = re.compile(r'\s*"image/[^"]+"\s*:\s*(?P<array>\[)?')


def notebook_text(text: str) -> str:
    """The notebook with JSON escapes undone in place (same line count and line lengths),
    image outputs blanked, so plugins read cells as their author wrote them.

    A `\\n` escape becomes two spaces, but an escaped backslash before `n` (a `\\\\n` in the
    file, i.e. a `\\n` in the cell) stays a `\\n`, which is how a PEM body in a cell's string is
    still seen as following its header.
    """
    lines = text.split("\n")
    in_image_array = False
    for index, line in enumerate(lines):
        if in_image_array:
            in_image_array = not line.strip().startswith("]")
            lines[index] = ""
            continue
        image = _IMAGE_KEY_RE.match(line)
        if image is not None:
            in_image_array = image.group("array") is not None and not line.rstrip().endswith(("]", "],"))
            lines[index] = ""
            continue
        if "\\" in line:
            lines[index] = _JSON_ESCAPE_RE.sub(lambda escape: _ESCAPED[escape.group(1)], line)
    return "\n".join(lines)


# -- Kubernetes Secret manifests ---------------------------------------------------------------

_SECRET_KIND_RE = re.compile(r"^[ \t-]*kind:[ \t]*[\"']?[Ss]ecret[\"']?[ \t]*$", re.MULTILINE)
_DATA_KEY_RE = re.compile(r"^(?P<indent>[ \t]*)data:[ \t]*$")
_DATA_ENTRY_RE = re.compile(
    r"^(?P<indent>[ \t]+)(?P<key>[\w.-]{1,253}):[ \t]*(?P<quote>[\"']?)(?P<value>[A-Za-z0-9+/]{4,}={0,2})(?P=quote)[ \t]*$"
)
# `key: |` or `key: >`: the base64 value follows on more-indented lines.
_DATA_BLOCK_RE = re.compile(r"^(?P<indent>[ \t]+)(?P<key>[\w.-]{1,253}):[ \t]*[|>][-+]?[ \t]*$")
_BASE64_LINE_RE = re.compile(r"[ \t]*[A-Za-z0-9+/]+={0,2}[ \t]*")


@dataclass(frozen=True, slots=True)
class SecretEntry:
    """One decoded `data:` value: where its base64 starts, its key, and what plugins read."""

    line: int
    column: int
    key: str
    value: str = field(repr=False)

    @property
    def shown(self) -> str:
        """A single-line value as ``key: value``, so the key names it for the plugins; a
        multi-line one (a PEM key, a whole `.env`) as itself."""
        return self.value if "\n" in self.value.strip() else f"{self.key}: {self.value}"


def kubernetes_secret_values(text: str) -> Iterator[SecretEntry]:
    """Each base64 value under `data:` of a `kind: Secret`, inline or as a block scalar, decoded."""
    for document in _documents(text):
        if not any(_SECRET_KIND_RE.match(line) for _, line in document):
            continue
        yield from _data_entries(document)


def _data_entries(document: list[tuple[int, str]]) -> Iterator[SecretEntry]:
    data_indent: int | None = None
    for index, (number, line) in enumerate(document):
        if data_indent is not None:
            indent = len(line) - len(line.lstrip())
            if line.strip() and indent <= data_indent:
                data_indent = None
            elif (entry := _DATA_ENTRY_RE.match(line)) is not None:
                decoded = _decode(entry.group("value"))
                if decoded is not None:
                    yield SecretEntry(number, entry.start("value") + 1, entry.group("key"), decoded)
                continue
            elif (block := _DATA_BLOCK_RE.match(line)) is not None:
                body = _block_body(document[index + 1:], len(block.group("indent")))
                decoded = _decode("".join(part.strip() for _, part in body)) if body else None
                if decoded is not None:
                    first_number, first_line = body[0]
                    column = len(first_line) - len(first_line.lstrip()) + 1
                    yield SecretEntry(first_number, column, block.group("key"), decoded)
                continue
        header = _DATA_KEY_RE.match(line)
        if header is not None:
            data_indent = len(header.group("indent"))


def _block_body(lines: list[tuple[int, str]], key_indent: int) -> list[tuple[int, str]]:
    """The base64 lines of a block scalar: indented past its key."""
    body = []
    for number, line in lines:
        if not line.strip() or len(line) - len(line.lstrip()) <= key_indent or not _BASE64_LINE_RE.fullmatch(line):
            break
        body.append((number, line))
    return body


def _documents(text: str) -> Iterator[list[tuple[int, str]]]:
    document: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("---"):
            yield document
            document = []
        else:
            document.append((number, line))
    yield document


def _decode(value: str) -> str | None:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    printable = all(char.isprintable() or char in "\n\r\t" for char in decoded)
    return decoded if printable and decoded.strip() else None
