from __future__ import annotations

from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Valid
from lint_rules.rules._orders import (
    OrderMethodRule,
    describe,
    dotted,
    imported_order_function,
)

# Callees that run a function they are given later or elsewhere: the usual ways around a call check.
_DEFERRED_CALLERS = {
    "Thread": "a thread", "threading.Thread": "a thread", "Process": "a process",
    "multiprocessing.Process": "a process", "Timer": "a timer", "threading.Timer": "a timer",
    "to_thread": "a thread", "asyncio.to_thread": "a thread", "run_in_executor": "an executor",
    "submit": "an executor", "map": "an executor", "apply_async": "a pool",
    "partial": "functools.partial", "functools.partial": "functools.partial",
    "call_soon": "the event loop", "call_later": "the event loop", "call_soon_threadsafe": "the event loop",
    "add_done_callback": "a callback", "schedule": "a scheduler", "add_job": "a scheduler",
}


class OrderMethodReference(OrderMethodRule):
    """Order method taken as a value, to be called later around the gateway.

    ## What it does
    Reports an order method (by default `place_order`) used as a value outside the gateway and
    connector paths: aliased (`send = broker.place_order`), passed on as a callback
    (`threading.Thread(target=broker.place_order)`, `asyncio.to_thread(broker.place_order, o)`,
    `executor.submit(...)`, `loop.run_in_executor(...)`, `functools.partial(...)`), looked up by
    name (`getattr(broker, "place_order")`, `operator.methodcaller("place_order")`), or replaced
    (`broker.place_order = fake`, `setattr(broker, "place_order", fake)`).

    ## Why is this bad?
    Each of these is a way to call the order method later without a visible call, so TG101 cannot
    see it and the order skips the gateway's mode check, kill switch, limits and audit log.
    Replacing the method (monkeypatching) outside tests changes where orders go at run time.

    ## Example
    ```python
    worker = threading.Thread(target=self.broker.place_order, args=(order,))
    ```

    ## Use instead
    ```python
    worker = threading.Thread(target=gateway.submit, args=("oanda",), kwargs=order)
    ```

    ## Options
    - `order-methods`, `extend-order-methods`, `gateway-paths`, `connector-paths`,
      `connector-bases` (a connector passing on its own method through `self` is not reported),
      `gateway-classes` (nor is a gateway class passing on its own; see TG101).
    - Tests that mock order methods usually belong in `per-file-ignores`.

    ## Fix safety
    No fix: what the deferred call should become depends on the code around it.
    """

    code = "TG102"
    name = "order-method-reference"
    message = "order method `{name}` taken as a value ({how}): calling it later bypasses the gateway"

    VALID = [
        Valid("broker.place_order(symbol, qty)\nawait broker.place_order(o)"),
        Valid("if hasattr(broker, 'place_order'):\n    pass"),
        Valid("log.info('calling place_order')\nname = 'place_order'"),
        Valid("def place_order(self, order):\n    return order"),
        Valid("def run(place_order=None):\n    return place_order"),
        Valid("f(place_order=True)"),
        Valid("from bot.broker import place_order"),
        Valid("broker.place_order.assert_called_once_with(order)"),
        Valid("from bot.broker import place_order\nname = place_order.__name__"),
        Valid("threading.Thread(target=gateway.submit, args=('oanda',))"),
        Valid("t = threading.Thread(target=broker.place_order)", path="bot/execution/gateway.py",
              config={"gateway-paths": ["bot/execution/gateway.py"]}),
        Valid("class OandaConnector:\n    def start(self):\n        pool.submit(self.place_order, o)"),
        # The gateway class's own method, deferred: it still goes through the gateway.
        Valid("class GridExecutor(ExecutorBase):\n    def start(self):\n        self.loop.call_soon(self.place_order, self.level)",
              config={"gateway-classes": ["ExecutorBase"]}),
    ]
    INVALID = [
        Invalid("send = broker.place_order", message="aliased"),
        Invalid("threading.Thread(target=self.broker.place_order, args=(o,)).start()", message="a thread"),
        Invalid("await asyncio.to_thread(broker.place_order, o)", message="a thread"),
        Invalid("executor.submit(self.connectors[v].place_order, o)", message="an executor"),
        Invalid("loop.run_in_executor(None, broker.place_order, o)", message="an executor"),
        Invalid("send = functools.partial(broker.place_order, qty=1)", message="functools.partial"),
        Invalid("getattr(broker, 'place_order')(o)", message="getattr"),
        Invalid("fn = getattr(broker, 'place_order', None)", message="getattr"),
        Invalid("call = operator.methodcaller('place_order', o)", message="methodcaller"),
        Invalid("from operator import methodcaller\ncall = methodcaller('place_order')", line=2),
        Invalid("broker.place_order = fake_place_order", message="replaced"),
        Invalid("setattr(broker, 'place_order', fake)", message="replaced"),
        Invalid("callbacks = [broker.place_order]", message="aliased"),
        Invalid("from bot.broker import place_order\nhandlers = {'buy': place_order}", line=2),
        Invalid("from bot.broker import place_order\nthreading.Thread(target=place_order).start()", line=2),
        # The connector's method taken by a gateway-class subclass: a deferred bypass.
        Invalid("class GridExecutor(ExecutorBase):\n    def start(self, connector):\n        self.loop.call_soon(connector.place_order, self.level)",
                line=3, config={"gateway-classes": ["ExecutorBase"]}, message="the event loop"),
    ]

    # An order method's name not followed by a call: `broker.place_order,`, `"place_order"`.
    needed_text = r"{name}{start}\b(?!\s*\()"

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.order_methods = context.config.order_methods
        # ids of nodes whose role is known before they are visited (parents are visited first)
        self.called: set[int] = set()
        self.not_references: set[int] = set()
        self.assigned: set[int] = set()
        self.argument_of: dict[int, str] = {}

    # --- recording the roles of child nodes -------------------------------------------
    def visit_Call(self, node) -> None:
        self.called.add(id(node.func))
        callee = dotted(node.func) or ""
        short = callee.rsplit(".", 1)[-1]
        how = _DEFERRED_CALLERS.get(callee) or _DEFERRED_CALLERS.get(short)
        if how:
            for arg in node.args:
                self.argument_of[id(arg.value)] = f"passed to {how}"
        self._check_lookup_by_name(node, callee, short)

    def visit_Attribute(self, node) -> None:
        self.not_references.add(id(node.attr))
        # `x.place_order.assert_called()`, `place_order.__name__`: using an attribute of the
        # method is not taking the method
        self.not_references.add(id(node.value))
        if node.attr.value in self.order_methods and id(node) not in self.called:
            if id(node) in self.not_references:
                return
            if self.routes_own_method(node.value, node.attr.value):
                return
            self.report(node, self.message.format(name=describe(node), how=self._how(node)))

    def visit_AssignTarget(self, node) -> None:
        self.assigned.add(id(node.target))
        if isinstance(node.target, cst.Name):
            self.not_references.add(id(node.target))

    def visit_AugAssign(self, node) -> None:
        self.assigned.add(id(node.target))

    def visit_AnnAssign(self, node) -> None:
        self.assigned.add(id(node.target))

    def visit_FunctionDef(self, node) -> None:
        self.not_references.add(id(node.name))

    def visit_ClassDef(self, node) -> None:
        super().visit_ClassDef(node)
        self.not_references.add(id(node.name))

    def visit_Param(self, node) -> None:
        self.not_references.add(id(node.name))

    def visit_Arg(self, node) -> None:
        if node.keyword is not None:
            self.not_references.add(id(node.keyword))

    def visit_ImportAlias(self, node) -> None:
        for name in (node.name, node.asname.name if node.asname else None):
            if name is not None:
                self.not_references.add(id(name))

    def visit_Name(self, node) -> None:
        if id(node) in self.called or id(node) in self.not_references:
            return
        if imported_order_function(self.context, node.value):
            self.report(node, self.message.format(name=node.value, how=self._how(node)))

    # --- helpers ---------------------------------------------------------------------
    def _how(self, node) -> str:
        if id(node) in self.assigned:
            return "replaced by assignment"
        return self.argument_of.get(id(node), "aliased or passed on")

    def _check_lookup_by_name(self, node, callee: str, short: str) -> None:
        literal = _first_string_argument(node, 1 if short in ("getattr", "setattr") else 0)
        if literal not in self.order_methods:
            return
        if callee in ("getattr", "builtins.getattr"):
            self.report(node, self.message.format(name=literal, how="looked up with getattr"))
        elif callee in ("setattr", "builtins.setattr"):
            self.report(node, self.message.format(name=literal, how="replaced with setattr"))
        elif callee == "operator.methodcaller" or (
            callee == "methodcaller" and self.context.imports.get("methodcaller") == "operator.methodcaller"
        ):
            self.report(node, self.message.format(name=literal, how="called through operator.methodcaller"))


def _first_string_argument(node, position: int) -> str | None:
    if len(node.args) <= position:
        return None
    value = node.args[position].value
    if isinstance(value, cst.SimpleString):
        return value.evaluated_value if isinstance(value.evaluated_value, str) else None
    return None
