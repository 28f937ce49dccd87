"""Where reported nodes are in the source: LibCST's ``PositionProvider`` ranges, for those nodes only.

``MetadataWrapper(...).resolve(PositionProvider)`` records a range for every node of the tree
(a regex split of every token, a context manager per node) and first walks the tree with
``module.visit()``, which rebuilds every node: on a 93 KiB file with one finding it costs 0.3 s,
more than the parse. Findings need the range of a handful of nodes. Here the module is turned
back into code once, the way ``module.code`` does, and only the reported nodes (and the children
their range is borrowed from: a statement ends where its body ends) note where their tokens
begin and end; the codegen stops as soon as the last of them is done. Token counts become lines
and columns at the end, by the same newline rule as LibCST's (``\\r\\n``, ``\\r`` or ``\\n``).

The ranges are exactly ``PositionProvider``'s (the test suite compares them over whole files,
and over files with CRLF newlines and without a final newline). This leans on LibCST's codegen
hooks (``CodegenState``), which are not public API: if they ever change shape, ``ranges_of``
falls back to ``PositionProvider`` itself.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable

_NEWLINE = re.compile(r"\r\n?|\n")  # LibCST's own rule (libcst.metadata.position_provider)


def ranges_of(module, nodes: Iterable) -> dict:
    """``{node: CodeRange}`` for each of ``nodes`` (nodes of ``module``), as ``PositionProvider`` gives them."""
    nodes = list(nodes)
    try:
        return _ranges_by_codegen(module, nodes)
    except (ImportError, AttributeError, TypeError, KeyError, IndexError):  # LibCST's internals moved
        from libcst.metadata import MetadataWrapper, PositionProvider

        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        return {node: positions[node] for node in nodes}


def _ranges_by_codegen(module, nodes: list) -> dict:
    from libcst.metadata import CodePosition, CodeRange

    state = _state_class()(module, nodes)
    try:
        module._codegen(state)
    except _AllFound:
        pass
    if state.outstanding:
        raise KeyError("a node that is not in the module")
    lengths = list(itertools.accumulate(map(len, state.tokens), initial=0))
    line_starts = [0, *(match.end() for match in _NEWLINE.finditer("".join(state.tokens)))]

    def position(token_index: int) -> CodePosition:
        offset = lengths[token_index]
        line = bisect.bisect_right(line_starts, offset)
        return CodePosition(line, offset - line_starts[line - 1])

    return {node: CodeRange(position(state.spans[node][0]), position(state.spans[node][1])) for node in nodes}


class _AllFound(Exception):
    """Every wanted node has its range: the rest of the codegen cannot change them."""


class _Unrecorded:
    """The context of a node whose range nobody asked for."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


_UNRECORDED = _Unrecorded()


class _Syntactic:
    """``record_syntactic_position`` for a wanted node: from its first token to its last, or to
    where the node it borrows its start or end from begins or ends (as ``PositionProvider``)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state, node, start_node, end_node) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc: object) -> bool:
        if exc[0] is None:
            spans = self.state.spans
            start = spans[self.start_node][0] if self.start_node is not None else self.start
            end = spans[self.end_node][1] if self.end_node is not None else len(self.state.tokens)
            spans[self.node] = (start, end)
        return False


_STATE_CLASS: list[type] = []


def _state_class() -> type:
    """The codegen state, made on first use: its base class is LibCST's, which loads LibCST."""
    if not _STATE_CLASS:
        from libcst._nodes.internal import CodegenState

        _STATE_CLASS.append(_make_state_class(CodegenState))
    return _STATE_CLASS[0]


def _make_state_class(base: type) -> type:
    class RangeRecordingState(base):
        """Codegen that notes token counts (not lines) where wanted nodes begin and end.
        ``spans``: node -> (first token, token after the last), the whitespace-inclusive range
        from the node's own codegen, replaced by the syntactic one where the node records one."""

        __slots__ = ("wanted", "outstanding", "spans", "open")

        def __init__(self, module, nodes: list) -> None:
            super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
            self.wanted = set(nodes)
            self.outstanding = len(self.wanted)
            self.spans: dict = {}
            self.open: list = []

        def before_codegen(self, node) -> None:
            if node in self.wanted:
                self.open.append((node, len(self.tokens)))

        def after_codegen(self, node) -> None:
            if node in self.wanted and self.open and self.open[-1][0] is node:
                start = self.open.pop()[1]
                if node not in self.spans:
                    self.spans[node] = (start, len(self.tokens))
                self.outstanding -= 1
                if not self.outstanding:
                    raise _AllFound

        def record_syntactic_position(self, node, *, start_node=None, end_node=None):
            if node not in self.wanted:
                return _UNRECORDED
            for borrowed in (start_node, end_node):  # codegen'd inside this node, so not yet seen
                if borrowed is not None and borrowed not in self.wanted:
                    self.wanted.add(borrowed)
                    self.outstanding += 1
            return _Syntactic(self, node, start_node, end_node)

        def pop_trailing_newline(self) -> None:
            """Kept: ``PositionProvider`` counts the newline a file lacks into the module's end."""

    return RangeRecordingState
