"""What a rule may know about the file it checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from lint_rules.config import Config
from lint_rules.index import ProjectIndex


@dataclass
class FileContext:
    rel_path: str          # relative to the config root, with "/": what globs match
    text: str
    config: Config
    index: ProjectIndex
    # What several rules compute once per file (e.g. one analysis shared by a rule family), by key.
    memo: dict = field(default_factory=dict, repr=False)

    @cached_property
    def is_gateway(self) -> bool:
        return self.config.is_gateway_path(self.rel_path)

    @cached_property
    def is_connector(self) -> bool:
        return self.config.is_connector_path(self.rel_path)

    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> what it was imported as (``from a.b import c as d`` gives d -> a.b.c)."""
        return self.index.imports_of(self.rel_path)

    def imports_module(self, *packages: str) -> bool:
        """Whether the file imports anything from one of ``packages`` (top-level names)."""
        return any(
            qualified.split(".")[0] in packages for qualified in self.imports.values()
        )
