from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lint_rules.config import Config, matches_any
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Rule, Valid
from lint_rules.rules._orders import describe, dotted
from lint_rules.rules._text import AnyOf, alternatives, gated
from lint_rules.rules.results.connectors import connector_model, summary_of_classdef
from lint_rules.rules.results.helpers import (
    CANONICAL_KEYS,
    canonical_functions,
    connector_result_methods,
    instance_kind_of_class,
    kind_by_name,
    result_source,
)
from lint_rules.rules.results.returns import ignored_here, string_value


_OANDA = "class Oanda:\n    def place_order(self, order):\n        pass\n\n    def pricing(self, symbol):\n        pass\n"

# A subscript or `.get(` of a string literal other than "success", "error" and "data", not on a
# subscript (`res["data"]["id"]` reads the payload where it belongs).
_PAYLOAD_READ = re.compile(r"""(?<!\])(?:\[|\.get\()\s*[rRuU]?(['"])(?!(?:success|error|data)\1)""")


@dataclass
class _Scope:
    kind: str                   # "module", "class" or "function"
    # name -> ("result", where from) | ("instance", "connector" / "gateway") | None (something else)
    names: dict = field(default_factory=dict)
    connector: bool = False     # a class scope of a connector class
    attributes: dict = field(default_factory=dict)  # class scopes: `self.x` -> "connector" / "gateway"


class PayloadReadAtTopLevel(Rule):
    """Broker payload read at the top level of a connector result.

    ## What it does
    Reports `res["order_id"]` and `res.get("fill")` (any key but `success`, `error` and `data`)
    where `res` is known to be a connector result: the value of a call, directly or through a
    variable of the same function (or module), of
    - an order method (`x.place_order(...)`, any receiver; see `order-methods`);
    - a connector's interface method (see TG201) or a connector's method that builds canonical
      results, where the receiver is known to be a connector: `self` inside
      a connector class; a variable or `self` attribute assigned an instance of a connector class
      (`conn = OandaConnector(...)`, `self.venue = OandaConnector(...)`, also classes imported
      from connector paths) or annotated with one (`conn: OandaConnector`); and receivers named
      as connectors: `connector`, `*_connector`, `self.connectors[venue]`, `connectors.get(venue)`;
    - the gateway: any public method of it (`gateway.submit(...)`, `gateway.send(...)`; receivers
      named `gateway` / `*_gateway`, or assigned `OrderGateway(...)` or a class of a gateway path),
      `tradeguard.route(...)`, and functions defined in `gateway-paths`.

    Inside connector code (connector paths and connector classes), an order method called on
    anything but `self` or a known connector is taken for the broker SDK's, and a connector method
    called on anything but `self` for the connector's client: their replies are raw and read
    freely. A receiver known only by its name to be a gateway returns results from `submit`,
    `send` and `route` (a service client called `gateway` answers its own questions). Writes
    (`res["seen"] = True`) are not reads. A variable is followed in the order of the code, and
    forgets a result when reassigned.

    ## Why is this bad?
    Connectors return `{"success", "error", "data"}`: the payload is under `data`. Reading it at
    the top level raises `KeyError` on every venue that follows the contract, or with `.get`
    silently yields `None` (a fill price of `None`, an order id of `None`) for a real order.

    ## Example
    ```python
    result = gateway.submit("oanda", symbol="EUR_USD", side="BUY", qty=1000)
    log.info("filled at %s", result.get("fill_price"))
    ```

    ## Use instead
    ```python
    result = gateway.submit("oanda", symbol="EUR_USD", side="BUY", qty=1000)
    if result["success"]:
        log.info("filled at %s", result["data"].get("fill_price"))
    ```

    ## Options
    - `order-methods`, `extend-order-methods`: calls that return connector results.
    - `connector-paths`, `connector-bases`: which classes are connectors.
    - `gateway-paths`: functions defined there return connector results.

    ## Fix safety
    No fix: the read usually sits beside a missing check of `success`, which a reader must add.
    """

    code = "TG205"
    name = "payload-read-at-top-level"
    message = "broker payload read at the top level of a connector result"

    VALID = [
        Valid('''
            res = self.broker.place_order(order)
            if res["success"]:
                print(res["data"]["order_id"], res.get("error"))
        '''),
        Valid('''
            result = gateway.submit("oanda", symbol="EUR_USD", qty=1000)
            fill = result["data"].get("fill_price")
        '''),
        Valid('''
            reply = session.get(url).json()
            price = reply["price"]
            positions = broker.positions()["EUR_USD"]
        '''),
        Valid('''
            res = broker.place_order(order)
            res = res["data"]
            print(res["order_id"])

            def show(res):
                return res["order_id"]
        '''),
        Valid('''
            res = broker.place_order(order)
            res["seen_at"] = now()
        '''),
        # inside a connector, an SDK's own order method returns the raw reply
        Valid('''
            from tradeguard import ok

            class AlpacaConnector:
                def place_order(self, order):
                    reply = self.client.place_order(order)
                    return ok({"id": reply["id"]})
        '''),
        # not a connector class, and a connector's private method
        Valid('''
            cache = PriceCache()
            quote = cache.quote("EUR_USD")
            bid = quote["bid"]
            conn = OandaConnector(token)
            raw = conn._pricing("EUR_USD")
            ask = raw["ask"]
        '''),
        # inside a connector, its client's reply is raw, though the client defines an order method
        Valid('''
            class VenueClient:
                def place_order(self, order):
                    return self.send(order)

            class VenueDerivative:
                def __init__(self):
                    self.client = VenueClient()

                async def _place_order(self, order):
                    resp = await self.client.place_order(order)
                    return resp["txhash"]
        ''', path="bot/connectors/venue.py", config={"connector-paths": ["bot/connectors/**"]}),
        # a service client that is merely called `gateway` answers its own questions
        Valid('''
            async def show_network(self, chain):
                gateway = self.gateway_client()
                status = await gateway.get_network_status(chain=chain)
                print(status.get("rpcUrl"))
        '''),
    ]
    INVALID = [
        Invalid('''
            res = self.broker.place_order(order)
            order_id = res["order_id"]
        ''', line=2, message='`res["order_id"]`'),
        Invalid('''
            async def buy(connector, order):
                return (await connector.place_order(order)).get("fill")
        ''', line=2, message="order method `place_order`"),
        Invalid('''
            result = self.gateway.submit("oanda", symbol="EUR_USD", qty=1000)
            print(result["orderID"], result.get("fill_price"))
        ''', line=2, count=2, message="the gateway"),
        Invalid('''
            from tradeguard import route

            res = route(broker, "EUR_USD", 1000)
            price = res.get("price")
        ''', line=4),
        Invalid('''
            from bot.connectors.oanda import Oanda

            conn = Oanda(token)
            quote = conn.pricing("EUR_USD")
            bid = quote["bid"]
        ''', line=5, message="connector method `pricing`", config={"connector-paths": ["bot/connectors/**"]},
            files={"bot/connectors/oanda.py": _OANDA}),
        Invalid('''
            class Rebalancer:
                def exposure(self, venue):
                    res = self.connectors[venue].positions()
                    return res["EUR_USD"]
        ''', line=4, config={"connector-methods": ["positions"]}),
        Invalid('''
            from bot.execution.gateway import submit_order

            res = submit_order("oanda", symbol="EUR_USD", qty=1)
            print(res["order_id"])
        ''', line=4, message="gateway function `submit_order`", config={"gateway-paths": ["bot/execution/gateway.py"]},
            files={"bot/execution/gateway.py": "def submit_order(venue, **order):\n    pass\n"}),
        Invalid('''
            from bot.connectors.oanda import OandaConnector

            def nav(conn: OandaConnector):
                return conn.account()["NAV"]
        ''', line=4, files={"bot/connectors/oanda.py": "class OandaConnector:\n    def account(self):\n        pass\n"}),
        Invalid('''
            from bot.venues import Fx

            class Hedger:
                def __init__(self, token):
                    self.venue = Fx(token)

                def exposure(self):
                    return self.venue.positions().get("EUR_USD")
        ''', line=8, files={"bot/venues.py": "class Fx(BaseConnector):\n    pass\n"}, config={"connector-methods": ["positions"]}),
        Invalid('''
            class OandaConnector:
                def positions(self):
                    return self.api.positions()

                def close_all(self):
                    res = self.positions()
                    return [self.close(p) for p in res["positions"]]
        ''', line=7),
        # a gateway's `send` returns a result as well as `submit`
        Invalid('''
            def flatten(gateway, venue, qty):
                result = gateway.send(venue, side="SELL", qty=qty)
                return result["fill_price"]
        ''', line=3, message="from the gateway"),
    ]

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return ()  # decided per project by `applies_to`

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        """Only files that read a string key other than the result's own, and call something that
        returns connector results (see ``_Prefilter``), are parsed for this rule; nor files where
        `per-file-ignores` silences it."""
        if ignored_here(context, cls.code) or _PAYLOAD_READ.search(context.text) is None:
            return False
        return _prefilter(context).admits(context.text)

    @classmethod
    def prepare(cls, context: FileContext) -> None:
        _prefilter(context)
        canonical_functions(context)

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.scopes = [_Scope("module")]
        self.targets: set[int] = set()  # ids of subscripts written to

    # --- scopes ----------------------------------------------------------------------------
    def visit_ClassDef(self, node) -> None:
        connector = connector_model(self.context).is_connector(self.context.rel_path, summary_of_classdef(node))
        self.scopes.append(_Scope("class", connector=connector))

    def visit_FunctionDef(self, node) -> None:
        self._enter_function(node.params)

    visit_Lambda = visit_FunctionDef

    # comprehensions have their own scope, whose names are bound before the element is visited
    def visit_ListComp(self, node) -> None:
        self._enter_comprehension(node.for_in)

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def _leave_scope(self, node) -> None:
        self.scopes.pop()

    leave_ClassDef = leave_FunctionDef = leave_Lambda = _leave_scope
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_scope

    def _enter_comprehension(self, for_in) -> None:
        self.scopes.append(_Scope("function"))
        while for_in is not None:
            self._bind(for_in.target, None)
            for_in = for_in.inner_for_in

    def _enter_function(self, params) -> None:
        scope = _Scope("function")
        for param in (*params.posonly_params, *params.params, *params.kwonly_params, params.star_arg, params.star_kwarg):
            if isinstance(param, cst.Param):
                kind = instance_kind_of_class(self.context, dotted(param.annotation.annotation)) if param.annotation else None
                scope.names[param.name.value] = ("instance", kind) if kind else None
        self.scopes.append(scope)

    def _lookup(self, name: str):
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not self.scopes[-1]:
                continue  # class bodies do not enclose their methods
            if name in scope.names:
                return scope.names[name]
        return None

    def _class_scope(self) -> _Scope | None:
        return next((scope for scope in reversed(self.scopes) if scope.kind == "class"), None)

    # --- what values are ---------------------------------------------------------------------
    def _instance_kind(self, node) -> str | None:
        """"connector" / "gateway" when the receiver ``node`` is known to hold one."""
        cls = self._class_scope()
        if isinstance(node, cst.Name):
            if node.value == "self":
                return "connector" if cls is not None and cls.connector else None
            fact = self._lookup(node.value)
            return fact[1] if fact and fact[0] == "instance" else None
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self" and cls:
            return cls.attributes.get(node.attr.value)
        return None

    def _in_connector(self) -> bool:
        cls = self._class_scope()
        return self.context.is_connector or (cls is not None and cls.connector)

    def _source(self, node) -> str | None:
        """Where ``node``'s value comes from, if it is a connector result."""
        node = _unwrap(node)
        if isinstance(node, cst.NamedExpr):
            return self._source(node.value)
        if isinstance(node, cst.Name):
            fact = self._lookup(node.value)
            return fact[1] if fact and fact[0] == "result" else None
        if isinstance(node, cst.Call):
            return result_source(
                self.context, node, in_connector=self._in_connector(), instance_kind=self._instance_kind, clients_raw=True,
            )
        return None

    def _fact(self, value, annotation=None):
        source = self._source(value) if value is not None else None
        if source:
            return ("result", source)
        kind = None
        if value is not None:
            value = _unwrap(value)
            kind = (
                (instance_kind_of_class(self.context, dotted(value.func)) if isinstance(value, cst.Call) else None)
                or kind_by_name(value) or self._instance_kind(value)
            )
        if kind is None and annotation is not None:
            kind = instance_kind_of_class(self.context, dotted(annotation.annotation))
        return ("instance", kind) if kind else None

    def _bind(self, target, fact) -> None:
        if isinstance(target, cst.Name):
            self.scopes[-1].names[target.value] = fact
            if self.scopes[-1].kind == "class":  # a class-level annotation: `venue: OandaConnector`
                self.scopes[-1].attributes[target.value] = fact[1] if fact and fact[0] == "instance" else None
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            cls = self._class_scope()
            if cls is not None:
                cls.attributes[target.attr.value] = fact[1] if fact and fact[0] == "instance" else None
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, None)

    # --- bindings, in the order of the code --------------------------------------------------
    def visit_AssignTarget(self, node) -> None:
        self.targets.add(id(node.target))

    def leave_Assign(self, node) -> None:
        fact = self._fact(node.value)
        for target in node.targets:
            self._bind(target.target, fact)

    def visit_AnnAssign(self, node) -> None:
        self.targets.add(id(node.target))

    def leave_AnnAssign(self, node) -> None:
        self._bind(node.target, self._fact(node.value, node.annotation))

    def visit_AugAssign(self, node) -> None:
        self.targets.add(id(node.target))
        self._bind(node.target, None)

    def visit_Del(self, node) -> None:
        self.targets.add(id(node.target))

    def leave_NamedExpr(self, node) -> None:
        self._bind(node.target, self._fact(node.value))

    def visit_For(self, node) -> None:
        self._bind(node.target, None)

    def visit_AsName(self, node) -> None:
        self._bind(node.name, None)

    # --- reads ------------------------------------------------------------------------------
    def visit_Subscript(self, node) -> None:
        if id(node) in self.targets or len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        key = string_value(node.slice[0].slice.value)
        self._check_read(node, node.value, key, f'`{describe(node.value)}["{key}"]`', f'["data"]["{key}"]')

    def visit_Call(self, node) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args and node.args[0].keyword is None):
            return
        key = string_value(node.args[0].value)
        self._check_read(node, func.value, key, f'`{describe(func.value)}.get("{key}")`', f'["data"].get("{key}")')

    def _check_read(self, node, holder, key: str | None, shown: str, instead: str) -> None:
        if key is None or key in CANONICAL_KEYS:
            return
        source = self._source(holder)
        if source:
            self.report(node, (
                f"{shown} reads broker payload at the top level of a connector result (from {source}): "
                f"read it under `data`: `{instead}`"
            ))


def _unwrap(node):
    """The expression inside ``await``."""
    while isinstance(node, cst.Await):
        node = node.expression
    return node


@dataclass(frozen=True)
class _Prefilter:
    """What a file must hold to read a connector result (built once per run):
    - a call of an order method on any receiver (`.place_order(`), a gateway's order call
      (`gateway.submit(`, `self.gateways[venue].send(`), `route(`, the runtime's gateway class or a
      gateway path's function or class called or annotated; or
    - a call of another interface method on `self` or on a receiver named as a connector
      (`connector.cancel(`, `self.connectors[venue].balance(`); or
    - a call of one anywhere, in a file that builds, annotates or takes a connector
      (`OandaConnector(`, `conn: Oanda`, `self.connectors[venue]`).
    Naming a connector class is not enough, nor is `.cancel(` alone (asyncio tasks have one)."""

    direct: AnyOf
    interface_call: re.Pattern[str]
    connector: AnyOf

    def admits(self, text: str) -> bool:
        if self.direct.search(text):
            return True
        return self.interface_call.search(text) is not None and self.connector.search(text) is not None


def _prefilter(context: FileContext) -> _Prefilter:
    config = context.config
    key = ("TG205-prefilter", config.order_methods, config.connector_methods, config.gateway_paths)
    return context.index.derive(key, lambda index: _build_prefilter(replace(context, index=index)))


def _build_prefilter(context: FileContext) -> _Prefilter:
    config, index = context.config, context.index
    model = connector_model(context)
    interface_names = connector_result_methods(context) - set(config.order_methods)
    interface = alternatives(interface_names)
    gateways = {"route", "OrderGateway"}
    connectors = set(model.derived) | set(config.connector_bases)
    for rel, summary in index.summaries.items():
        if matches_any(rel, config.gateway_paths):
            gateways.update(summary.get("functions", ()))
            gateways.update(cls["name"] for cls in summary.get("classes", ()))
        connectors.update(cls["name"] for cls in summary.get("classes", ()) if model.is_connector(rel, cls))
    taken = r"(?:\s*\[[^\]\n]*\]|\s*\.get\([^)\n]*\))?"   # `gateways[venue]`, `connectors.get(venue)`
    direct = [
        gated(r"\.\s*(?:" + alternatives(config.order_methods) + r")\s*\(", config.order_methods),
        gated(r"(?i:gateways?)\b" + taken + r"\s*\.\s*(?:submit|send|route)\s*\(", ["gateway"], ignore_case=True),
        gated(_called_or_annotated(gateways), gateways),
    ]
    if interface:
        direct.append(gated(r"(?:\bself|(?i:connectors?)\b" + taken + r")\s*\.\s*(?:" + interface + r")\s*\(", interface_names))
    return _Prefilter(
        AnyOf(tuple(direct)),
        re.compile(r"\.\s*(?:" + interface + r")\s*\(" if interface else r"(?!)"),
        AnyOf((
            gated(r"(?i:connectors)\s*(?:\[|\.get\()", ["connector"], ignore_case=True),  # (`ſ` is an `s` to `(?i)`)
            gated(_called_or_annotated(connectors), connectors),
        )),
    )


def _called_or_annotated(names) -> str:
    """`Name(` or `: Name` (`: "Name"`) for any of ``names``."""
    names = alternatives(names)
    return r"\b(?:" + names + r")\s*\(|:\s*['\"]?(?:" + names + r")\b"
