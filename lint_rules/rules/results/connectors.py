"""What a connector is, and which of its methods form the interface that returns canonical results.

DESIGN's definition, read from the project index (no parsing):
- a class deriving, directly or through other project classes in any file, from a
  `connector-bases` class is a connector; its interface is its order methods and the public
  methods it overrides from the project classes it derives from (what the base declares);
- a class named `*Connector` (not an enum or a test case), or one living in `connector-paths`
  that defines an order method, is a connector; its interface is every public method. A class
  of a connector path that another connector holds (builds or annotates with) is that
  connector's client, not a connector (a venue client with a `place_order` of its own).
`connector-methods`, when set, names the interface instead of the inference (order methods stay
in it). Public means not `_private` or dunder, and not a property, static or class method. Living
in a connector path alone makes no connector: auth helpers, order-book data sources, web
utilities, constants and test doubles live there too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lint_rules.config import Config, matches_any
from lint_rules.context import FileContext
from lint_rules.index import METHOD_KINDS, ClassSummary, ProjectIndex
from lint_rules.lazy import cst

# Bases after which a class named `*Connector` is something else: a value type, a test.
_NOT_CONNECTORS = frozenset((
    "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "NamedTuple", "TypedDict", "Exception",
    "TestCase", "IsolatedAsyncioTestCase",
))


def is_public(method: str) -> bool:
    return not method.startswith("_")


@dataclass
class ConnectorModel:
    """The connector judgement of one run (one configuration, one index)."""

    config: Config
    index: ProjectIndex
    derived: frozenset[str] = frozenset()   # names of classes deriving from a connector base
    held: frozenset[str] = frozenset()      # names of classes a base-derived or named connector holds
    _interface_names: frozenset[str] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, config: Config, index: ProjectIndex) -> ConnectorModel:
        bases_of: dict[str, set[str]] = {}
        for summary in index.summaries.values():
            for entry in summary.get("classes", ()):
                bases_of.setdefault(entry["name"], set()).update(base.rsplit(".", 1)[-1] for base in entry["bases"])
        roots = set(config.connector_bases)
        derived: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, bases in bases_of.items():
                if name not in derived and bases & (roots | derived):
                    derived.add(name)
                    changed = True
        held = {
            used
            for summary in index.summaries.values()
            for entry in summary.get("classes", ())
            if entry["name"] in derived or entry["name"].endswith("Connector")
            for used in entry.get("uses", ())
        }
        return cls(config, index, frozenset(derived), frozenset(held))

    def derives_from_base(self, bases: list[str]) -> bool:
        names = {base.rsplit(".", 1)[-1] for base in bases}
        return bool(names & (set(self.config.connector_bases) | self.derived))

    def interface(self, rel_path: str, cls: ClassSummary) -> frozenset[str]:
        """The checked methods of the class (empty: not a connector, or nothing to check)."""
        operations = [method for method in cls["methods"] if cls["kinds"].get(method) not in METHOD_KINDS]
        named = set(self.config.order_methods) | set(self.config.connector_methods)
        if self.derives_from_base(cls["bases"]):
            if self.config.connector_methods:
                return frozenset(method for method in operations if method in named)
            declared = {method for _, ancestor in self.index.ancestors(cls["bases"]) for method in ancestor["methods"]}
            return frozenset(
                method for method in operations
                if method in self.config.order_methods or (is_public(method) and method in declared)
            )
        if not self.is_connector_by_name_or_path(rel_path, cls):
            return frozenset()
        if self.config.connector_methods:
            return frozenset(method for method in operations if method in named)
        return frozenset(method for method in operations if is_public(method) or method in self.config.order_methods)

    def is_connector(self, rel_path: str, cls: ClassSummary) -> bool:
        return self.derives_from_base(cls["bases"]) or self.is_connector_by_name_or_path(rel_path, cls)

    def is_connector_by_name_or_path(self, rel_path: str, cls: ClassSummary) -> bool:
        if cls["name"].endswith("Connector"):
            return not any(base.rsplit(".", 1)[-1] in _NOT_CONNECTORS for base in cls["bases"])
        return (
            cls["name"] not in self.held
            and matches_any(rel_path, self.config.connector_paths)
            and any(method in self.config.order_methods for method in cls["methods"])
        )

    def defines_connector(self, rel_path: str) -> bool:
        """Whether the file defines a connector with methods to check (by the index only)."""
        return any(self.interface(rel_path, cls) for cls in self.index.summaries.get(rel_path, {}).get("classes", ()))

    def names_connector_class(self, rel_path: str, dotted: str) -> bool:
        """Whether ``dotted``, as written in ``rel_path`` (``OandaConnector``, ``conn.Oanda``),
        names a connector class of the project."""
        name = dotted.rsplit(".", 1)[-1]
        if name.endswith("Connector") or name in self.derived or name in self.config.connector_bases:
            return True
        found = self.index.resolve(rel_path, dotted, "classes")
        cls = self.index.class_summary(*found) if found else None
        return cls is not None and self.is_connector(found[0], cls)

    @property
    def interface_names(self) -> frozenset[str]:
        """Every method name some connector of the project has in its interface, with the order
        methods and `connector-methods`: a method called on a receiver known only to be *a*
        connector returns a connector result when it is one of these."""
        if self._interface_names is None:
            names = set(self.config.order_methods) | set(self.config.connector_methods)
            for rel, summary in self.index.summaries.items():
                for cls in summary.get("classes", ()):
                    names |= self.interface(rel, cls)
            self._interface_names = frozenset(names)
        return self._interface_names


def connector_model(context: FileContext) -> ConnectorModel:
    """The model as one file sees it: the run-wide class sets, built once per index and
    configuration, and the file's own view of the index for the look-ups it makes."""
    config = context.config
    key = ("connector-model", config.connector_bases, config.connector_paths, config.order_methods, config.connector_methods)
    derived, held, names = context.index.derive(key, lambda index: _run_wide_sets(config, index))
    return ConnectorModel(config, context.index, derived, held, names)


def _run_wide_sets(config: Config, index: ProjectIndex) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    model = ConnectorModel.build(config, index)
    return model.derived, model.held, model.interface_names


def summary_of_classdef(node) -> ClassSummary:
    """The index's summary of a LibCST class, for classes of text the index has not seen."""
    from lint_rules.rules._orders import dotted

    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    methods = [statement for statement in body if isinstance(statement, cst.FunctionDef)]
    return {
        "name": node.name.value,
        "bases": [name for arg in node.bases if arg.keyword is None and (name := dotted(_subscripted(arg.value)))],
        "methods": [method.name.value for method in methods],
        "kinds": {method.name.value: kind for method in methods if (kind := method_kind(method))},
        "uses": [],   # only what others hold matters, and that comes from the index
    }


def method_kind(method) -> str | None:
    """"property", "staticmethod", ... for a LibCST method so decorated, else None."""
    from lint_rules.rules._orders import dotted

    for decorator in method.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        name = (dotted(expression) or "").rsplit(".", 1)[-1]
        if name in METHOD_KINDS:
            return name
    return None


def _subscripted(node):
    """``Generic`` for ``Generic[T]``: the index names bases without their parameters."""
    return node.value if isinstance(node, cst.Subscript) else node
