"""What a rule is: its code, docs, examples, the tokens it needs, and its visitor methods.

A rule is a plain class (not a LibCST visitor) so that the engine can read its code and tokens
without importing LibCST. The engine dispatches ``visit_<Node>`` / ``leave_<Node>`` methods of
all enabled rules in one walk of the tree (see ``engine.py``).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import libcst

    from lint_rules.config import Config
    from lint_rules.context import FileContext


@dataclass(frozen=True)
class Valid:
    """Code the rule must not report. ``path`` and ``config`` place it in a project."""

    code: str
    path: str = "strategies/example.py"
    config: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # other project files, for cross-file cases


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report, on ``line`` (1-based; the first line of ``code`` after dedent)."""

    code: str
    line: int = 1
    path: str = "strategies/example.py"
    config: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    message: str | None = None   # a substring the message must contain
    count: int = 1               # how many findings; the first is on `line`
    expected_fix: str | None = None   # the file after `--fix --unsafe-fixes --select CODE`; None: not fixed


@dataclass(frozen=True, slots=True)
class Report:
    """A finding as a rule raises it: the node, not yet a position (positions are computed lazily)."""

    code: str
    node: object
    message: str
    replacement: object | None = None
    fix_is_safe: bool = False
    imports: tuple[str, ...] = ()   # statements the replacement needs, e.g. "import tradeguard"


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    VALID: ClassVar[list[Valid]] = []
    INVALID: ClassVar[list[Invalid]] = []
    # False for codes reported by the engine or the secret scanner rather than by visiting a
    # tree; they are documented like rules but never make the engine parse a file.
    visits_tree: ClassVar[bool] = True

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.reports: list[Report] = []

    # --- what the engine asks before parsing -------------------------------------------
    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        """Literal strings one of which any file this rule reports must contain."""
        raise NotImplementedError

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        """False where the rule never reports (e.g. gateway paths); such files are not parsed for it."""
        return True

    @classmethod
    def prepare(cls, context: FileContext) -> None:
        """Compute the run-wide values (``index.derive``) the rule's visit reads, so that a cached
        file's recorded answers can be checked without parsing it again."""

    # --- while visiting ----------------------------------------------------------------
    def report(
        self,
        node: libcst.CSTNode,
        message: str | None = None,
        *,
        replacement: libcst.CSTNode | None = None,
        fix_is_safe: bool = False,
        imports: tuple[str, ...] = (),
    ) -> None:
        """A finding at ``node``. A fix replaces ``node`` by ``replacement`` (see ``fixer.py``),
        adding ``imports`` (``"import x"``, ``"from x import y"``) at the top of the module once."""
        self.reports.append(Report(self.code, node, message or self.message, replacement, fix_is_safe, imports))

    # --- documentation -----------------------------------------------------------------
    @classmethod
    def documentation(cls) -> str:
        """The rule's page, as `tradeguard rule CODE` prints it (ruff's sections)."""
        import inspect  # only for docs: a check run must not pay for importing it

        body = textwrap.dedent(inspect.getdoc(cls) or "").strip()
        return f"# {cls.code} ({cls.name})\n\n{body}\n"

    @classmethod
    def summary(cls) -> str:
        import inspect

        return (inspect.getdoc(cls) or "").strip().splitlines()[0]

    def visitor_methods(self) -> dict[str, object]:
        return {
            name: getattr(self, name)
            for name in dir(type(self))
            if re.fullmatch(r"(visit|leave)_[A-Z]\w*", name)
        }
