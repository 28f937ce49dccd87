"""What the plugins read of a file: one or more views of its text.

Most files are read as they are. Two formats hide their secrets behind an encoding:

- A Jupyter notebook stores cell sources and outputs as JSON strings, so quotes arrive escaped
  (``\\"``). Its view un-escapes every line in place, keeping lengths (so columns stay true),
  and blanks image outputs (``"image/png": ...``), whose base64 is noise.
- A Kubernetes ``Secret`` stores its ``data:`` values base64-encoded. Each value is decoded
  and scanned on its own, reported on the line that holds it.
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


def views(path: str, text: str) -> list[View]:
    extension = os.path.splitext(path)[1].lower()
    if extension == ".ipynb":
        return [View(notebook_text(text), is_code=True)]
    is_code = extension in CODE_EXTENSIONS
    if extension in (".yaml", ".yml") and _SECRET_KIND_RE.search(text):
        decoded = list(kubernetes_secret_values(text))
        if decoded:
            skip = frozenset(line for line, _, _ in decoded)
            return [View(text, is_code, skip_lines=skip)] + [
                View(value, is_code=False, anchor=(line, column), note="base64-decoded from a Kubernetes Secret")
                for line, column, value in decoded
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


def kubernetes_secret_values(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, decoded text) for each base64 value under `data:` of a `kind: Secret`.

    A single-line value is given back as ``key: value``, so the key names it for the plugins;
    a multi-line one (a PEM key, a whole `.env`) as itself.
    """
    for document in _documents(text):
        if not any(_SECRET_KIND_RE.match(line) for _, line in document):
            continue
        data_indent: int | None = None
        for number, line in document:
            if data_indent is not None:
                entry = _DATA_ENTRY_RE.match(line)
                if line.strip() and len(line) - len(line.lstrip()) <= data_indent:
                    data_indent = None
                elif entry is not None:
                    decoded = _decode(entry.group("value"))
                    if decoded is not None:
                        shown = decoded if "\n" in decoded.strip() else f"{entry.group('key')}: {decoded}"
                        yield number, entry.start("value") + 1, shown
                    continue
            header = _DATA_KEY_RE.match(line)
            if header is not None:
                data_indent = len(header.group("indent"))


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
