"""Which calls return canonical results, and which return connector results.

Canonical (TG201 accepts them as a connector's return): the runtime's ``ok`` / ``fail`` /
``normalize`` / ``route``; an interface method of the connector itself (it is checked on its own);
and the project's helpers whose every return is built from canonical results, read from the
index's summaries of every file (through imports, relative ones too, any depth of helpers calling
helpers, methods of the class and its project bases called as ``self.m(...)`` / ``super().m(...)``).

Connector results (TG205 follows them into reads; inside a connector TG201 accepts them): what an
order method returns, an interface method of a known connector, a gateway's methods
(``gateway.submit(...)``, ``gateway.send(...)``), ``tradeguard.route(...)``, and functions defined
in `gateway-paths`.
"""

from __future__ import annotations

from dataclasses import replace

from lint_rules.config import matches_any
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rules._orders import dotted, is_self_or_super
from lint_rules.rules.results.connectors import connector_model, is_public

CANONICAL_KEYS = frozenset(("success", "error", "data"))
CANONICAL_FACT = "dict:" + ",".join(sorted(CANONICAL_KEYS))
ROUTE_FUNCTIONS = frozenset(("tradeguard.route", "tradeguard.gateway.route"))
RUNTIME_RESULT_FUNCTIONS = ROUTE_FUNCTIONS | {
    f"{module}.{name}" for module in ("tradeguard", "tradeguard.results") for name in ("ok", "fail", "normalize")
}
_GATEWAY_CLASSES = frozenset(("tradeguard.OrderGateway", "tradeguard.gateway.OrderGateway"))
# What a receiver known only by its name (`gateway`, `self.order_gateway`) returns results from;
# every public method of one known to be a gateway (built from a gateway class) does. A service
# client that happens to be called `gateway` (hummingbot's) answers its own questions.
_GATEWAY_ORDER_METHODS = frozenset(("submit", "send", "route"))


# --- canonical results ---------------------------------------------------------------------------
def returns_canonical(context: FileContext, callee: str, class_name: str | None = None, rel_path: str | None = None) -> bool:
    """Whether calling ``callee`` (a dotted name as written in the file; ``self.m``, ``cls.m`` or
    ``super.m`` inside class ``class_name``) returns a canonical result."""
    target = _call_target(context, rel_path or context.rel_path, callee, class_name)
    return target is True or (target is not None and target in canonical_functions(context))


def canonical_functions(context: FileContext) -> frozenset[tuple[str, str]]:
    """``(path, "function")`` and ``(path, "Class.method")`` of the project's functions that build
    canonical results: the largest set in which every return of a member is a canonical literal
    or a call of the runtime, of a connector's interface method, or of a member (so helpers that
    call each other recursively still count). Computed once per run."""
    key = ("canonical-functions", context.config.order_methods, context.config.connector_methods)
    return context.index.derive(key, lambda index: _canonical_functions(replace(context, index=index)))


def _canonical_functions(context: FileContext) -> frozenset[tuple[str, str]]:
    targets: dict[tuple[str, str], list] = {}
    for rel, summary in context.index.summaries.items():
        for name, facts in summary.get("returns", {}).items():
            calls = [fact[5:] for fact in facts if fact.startswith("call:")]
            if facts and all(fact == CANONICAL_FACT or fact.startswith("call:") for fact in facts):
                class_name = name.rpartition(".")[0] or None
                targets[(rel, name)] = [_call_target(context, rel, call, class_name) for call in calls]
    alive = set(targets)
    changed = True
    while changed:
        changed = False
        for member in list(alive):
            if not all(target is True or target in alive for target in targets[member]):
                alive.discard(member)
                changed = True
    return frozenset(alive)


def _call_target(context: FileContext, rel_path: str, callee: str, class_name: str | None):
    """True for a call known to return a canonical result whatever the project holds; else the
    project function or method it calls (a key of ``canonical_functions``), or None."""
    index = context.index
    head, _, method = callee.partition(".")
    if head in ("self", "cls", "super") and class_name and method and "." not in method:
        found = index.find_method(rel_path, class_name, method, inherited_only=head == "super")
        if found is None:  # defined outside the project: known only if it is in every connector's interface
            config = context.config
            return True if method in config.order_methods or method in config.connector_methods else None
        return True if _is_interface_method(context, *found) else found
    if head not in index.imports_of(rel_path) and "." in callee:
        return None  # a method of a local value, not a module's function
    if index.qualify(rel_path, callee) in RUNTIME_RESULT_FUNCTIONS:
        return True
    return index.resolve(rel_path, callee, "functions")


def connector_result_methods(context: FileContext) -> frozenset[str]:
    """The method names that return a connector result when called on a connector: interface
    methods of any connector of the project, and connectors' other methods that build canonical
    results (``preview`` returning ``ok(...)``). Computed once per run."""
    key = ("connector-result-methods", context.config.order_methods, context.config.connector_methods)
    return context.index.derive(key, lambda index: _connector_result_methods(replace(context, index=index)))


def _connector_result_methods(context: FileContext) -> frozenset[str]:
    model = connector_model(context)
    names = set(model.interface_names)
    for rel, qualified in canonical_functions(context):
        class_name, _, method = qualified.rpartition(".")
        cls = context.index.class_summary(rel, class_name) if class_name else None
        if cls is not None and model.is_connector(rel, cls):
            names.add(method)
    return frozenset(names)


def _is_interface_method(context: FileContext, rel_path: str, qualified: str) -> bool:
    class_name, _, method = qualified.rpartition(".")
    cls = context.index.class_summary(rel_path, class_name)
    return cls is not None and method in connector_model(context).interface(rel_path, cls)


# --- connector results ---------------------------------------------------------------------------
def result_source(context: FileContext, call, *, in_connector: bool, instance_kind=None, clients_raw: bool = False) -> str | None:
    """Why ``call`` returns a connector result ("order method `place_order`", "connector method
    `quote`", "the gateway", "gateway function `submit_order`"), or None if it is not known to.

    ``instance_kind(receiver)`` may tell what the receiver holds ("connector", "gateway"), as far
    as the caller tracks it; receivers are also recognised by name (see ``kind_by_name``). Inside
    connector code (``in_connector``) an order method called on anything else is taken for the
    broker SDK's, whose reply is raw; with ``clients_raw`` (reads inside connector code) so is
    what a connector method called on another object returns (the connector's client).
    """
    func = call.func
    if isinstance(func, cst.Attribute):
        method, receiver = func.attr.value, func.value
        if method in context.config.order_methods and not in_connector:
            return f"order method `{method}`"
        known = instance_kind(receiver) if instance_kind else None
        kind = known or kind_by_name(receiver)
        # inside connector code, what it calls on another object is its client's raw reply
        own = not (in_connector and clients_raw) or is_self_or_super(receiver)
        if kind == "connector" and own and method in connector_result_methods(context):
            return f"connector method `{method}`"
        if kind == "gateway" and (method in _GATEWAY_ORDER_METHODS or (known and is_public(method))):
            return "the gateway"
    callee = dotted(func)
    if callee is None:
        return None
    if context.index.qualify(context.rel_path, callee) in ROUTE_FUNCTIONS:
        return "the gateway"
    if is_gateway_function(context, callee):
        return f"gateway function `{callee}`"
    return None


def is_gateway_function(context: FileContext, callee: str) -> bool:
    """Whether ``callee`` (as written in the file) names a top-level function of a gateway path."""
    found = context.index.resolve(context.rel_path, callee, "functions")
    return found is not None and matches_any(found[0], context.config.gateway_paths)


def kind_by_name(node) -> str | None:
    """"connector" or "gateway" for receivers named as such: ``connector``, ``self.oanda_connector``,
    ``self.connectors[venue]``, ``connectors.get(venue)``, ``gateway``, ``self.gateway``."""
    if isinstance(node, cst.Subscript):
        holder, plural = node.value, True
    elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
        holder, plural = node.func.value, True
    else:
        holder, plural = node, False
    if isinstance(holder, cst.Name):
        name = holder.value
    elif isinstance(holder, cst.Attribute):
        name = holder.attr.value
    else:
        return None
    name = name.lower().lstrip("_")
    for kind in ("connector", "gateway"):
        noun = f"{kind}s" if plural else kind
        if name == noun or name.endswith(f"_{noun}"):
            return kind
    return None


def instance_kind_of_class(context: FileContext, dotted_name: str | None) -> str | None:
    """"connector" or "gateway" when ``dotted_name`` names a connector class, the runtime's
    gateway class or a class defined in a gateway path."""
    if not dotted_name:
        return None
    if context.index.qualify(context.rel_path, dotted_name) in _GATEWAY_CLASSES:
        return "gateway"
    found = context.index.resolve(context.rel_path, dotted_name, "classes")
    if found is not None and matches_any(found[0], context.config.gateway_paths):
        return "gateway"
    if connector_model(context).names_connector_class(context.rel_path, dotted_name):
        return "connector"
    return None
