from __future__ import annotations

import re

from lint_rules.fixer import fix_settings
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Valid
from lint_rules.rules._orders import (
    OrderMethodRule,
    describe,
    dotted,
    imported_order_function,
    is_self_or_super,
)


class OrderMethodCall(OrderMethodRule):
    """Order method called outside the gateway.

    ## What it does
    Reports every call of an order method (by default `place_order`; see `order-methods`) outside
    the gateway and connector paths: `x.place_order(...)` on any receiver (`self.broker`,
    `self.connectors[venue]`, `super()`), awaited or not, nested anywhere (inside `print(...)`,
    comprehensions, lambdas, `asyncio.gather(...)`), and bare calls of an order function imported
    from elsewhere (`from broker import place_order`). A multi-line call is reported on the line
    where it starts.

    In Cython files (`.pyx`, `.pxd`), which LibCST cannot parse, the calls are found by a token
    scan (comments and strings skipped) with the same judgement of `self.place_order(...)`;
    they get no fix.

    ## Why is this bad?
    The gateway is the one place that enforces PAPER-by-default, the LIVE arming record, the kill
    switch, pre-trade limits and the audit log. An order sent straight to a connector skips all of
    them: it can trade real money while the operator believes trading is halted, and leaves no
    audit record.

    ## Example
    ```python
    def on_signal(self, signal):
        return self.broker.place_order(signal.symbol, signal.qty)
    ```

    ## Use instead
    ```python
    import tradeguard

    def on_signal(self, signal):
        return tradeguard.route(self.broker, signal.symbol, signal.qty)
    ```
    or `gateway.submit(venue, symbol=..., qty=...)` on an `OrderGateway`.

    ## Options
    - `order-methods`, `extend-order-methods`: the method names that send orders.
    - `gateway-paths`, `connector-paths`: where order methods may be called.
    - `connector-bases`: classes whose subclasses are connectors; a connector calling its own
      order method through `self` or `super()` is not reported.
    - `gateway-classes`: classes whose order methods are the gateway (e.g. an `ExecutorBase` whose
      `place_order` goes through the strategy's audited `buy`/`sell`): `self.place_order(...)` and
      `super().place_order(...)` in them and their subclasses are not reported. An override of
      the method is code like any other: a connector call in its body is reported.

    `self.place_order(...)` of a method the project defines in the class itself or in a base
    class is not reported either: the call goes to that method, and what it sends is checked
    there.
    - `[tool.tradeguard.fix]` `route-call`: the gateway function the fix calls (default
      `tradeguard.route`); see Fix safety.

    ## Fix safety
    The fix rewrites `x.place_order(args)` to `tradeguard.route(x, args)`, keeping the arguments
    (keywords, `*args`, `**kwargs`), comments and layout, and adds `import tradeguard` once, after
    the module docstring and the imports at the top of the module. An import already there is
    reused: `import tradeguard as tg` gives `tg.route(x, args)`, `from tradeguard import route`
    gives `route(x, args)`. An awaited call stays awaited: `route` returns an awaitable when the
    connector's order method is `async`.

    It is unsafe: the order now goes through the gateway, which in PAPER mode fills it on the paper
    broker instead of calling the connector, and refuses it when trading is halted, a limit is hit
    or LIVE is not armed. That change of behaviour is the point, but review it first
    (`tradeguard check --diff --unsafe-fixes`), then apply it (`--fix --unsafe-fixes`).

    No fix is offered for a bare call of an imported order function (there is no connector object
    to route through), for `self.place_order(...)` and `super().place_order(...)` (the class
    would be passed as its own connector), when a comment sits between the receiver and the method name (it would be
    lost), or when the name the import would bind (`tradeguard`, or `route` below) is already used
    in the file for something else.

    A project with its own gateway function names it in `[tool.tradeguard.fix]`:
    `route-call = "bot.execution.gateway.route"` makes the fix write `route(x, args)` and add
    `from bot.execution.gateway import route`. A function of a top-level module is called through
    the module, as the default is: `route-call = "mygateway.route"` gives `import mygateway` and
    `mygateway.route(x, args)`. The function must take the connector first, then the order method's
    arguments, as `tradeguard.route` does.
    """

    code = "TG101"
    name = "order-method-call"
    message = "order sent around the gateway: `{callee}(...)` is called directly; send it through the gateway (`tradeguard.route(...)`)"

    VALID = [
        Valid("gateway.submit('oanda', symbol='EUR_USD', qty=1000)"),
        Valid("def place_order(self, symbol, qty):\n    return self.client.send(symbol, qty)"),
        Valid('"""Call broker.place_order(symbol, qty) to trade.\n\n>>> broker.place_order("EUR_USD", 1)\n"""'),
        Valid("# broker.place_order(symbol, qty)\nlabel = 'place_order'"),
        Valid("if hasattr(broker, 'place_order'):\n    pass"),
        Valid("ib.whatIfOrder(contract, order)\nclient.preview_market_order_buy('BTC-USD', '10')"),
        Valid("self.broker.place_order(symbol, qty)", path="bot/execution/gateway.py",
              config={"gateway-paths": ["bot/execution/gateway.py"]}),
        Valid("self.client.place_order(symbol, qty)", path="bot/connectors/oanda.py",
              config={"connector-paths": ["bot/connectors/**"]}),
        Valid("class PaperConnector(BaseConnector):\n    def place_order(self, **order):\n        return super().place_order(**order)"),
        Valid("def place_order(**order):\n    return order\n\nplace_order(symbol='X')"),
        Valid("broker.submit_order(symbol, qty)"),
        # The gateway class's own method, inherited: the executor's audited order path.
        Valid('''
            class TwapExecutor(ExecutorBase):
                def next_slice(self):
                    self.order_id = self.place_order(connector_name=self.venue, amount=self.slice)
            ''', config={"gateway-classes": ["ExecutorBase"]}),
        Valid('''
            class DcaExecutor(ExecutorBase):
                def place_order(self, *args, **kwargs):
                    self.placed += 1
                    return super().place_order(*args, **kwargs)
            ''', config={"gateway-classes": ["ExecutorBase"]}),
        # Through a project class between the strategy and the gateway class, in another file.
        Valid('''
            from bot.executors.base import TrackedExecutor

            class Grid(TrackedExecutor):
                def level_hit(self):
                    self.place_order(connector_name="binance", amount=1)
            ''', config={"gateway-classes": ["ExecutorBase"]},
              files={"bot/executors/base.py": "class TrackedExecutor(ExecutorBase):\n    pass\n"}),
        # Cython, read by a token scan: a gateway class's inherited method, a comment, a string.
        Valid('''
            cdef class PureMaker(ExecutorBase):
                cdef c_tick(self):
                    # self.market.place_order(order) would bypass it
                    self.place_order(self.market, "self.market.place_order(")
            ''', path="strategies/pure_maker.pyx", config={"gateway-classes": ["ExecutorBase"]}),
        # A script's own helper named like an order method: its body (here the strategy's own
        # buy/sell) is what this rule checks.
        Valid('''
            class SimpleMaker(ScriptStrategyBase):
                def place_orders(self, proposal):
                    for order in proposal:
                        self.place_order(self.exchange, order)

                def place_order(self, exchange, order):
                    self.buy(exchange, order.pair, order.amount)
            '''),
    ]
    INVALID = [
        Invalid("self.broker.place_order(symbol, qty)",
                expected_fix="import tradeguard\n\ntradeguard.route(self.broker, symbol, qty)"),
        Invalid("async def run(self):\n    await self.connectors[venue].place_order(order)", line=2,
                expected_fix="import tradeguard\n\nasync def run(self):\n    await tradeguard.route(self.connectors[venue], order)"),
        Invalid("print(broker.place_order('EUR_USD', 1))",
                expected_fix="import tradeguard\n\nprint(tradeguard.route(broker, 'EUR_USD', 1))"),
        Invalid("results = [b.place_order(o) for o in orders]",
                expected_fix="import tradeguard\n\nresults = [tradeguard.route(b, o) for o in orders]"),
        Invalid("submit = lambda o: broker.place_order(o)",
                expected_fix="import tradeguard\n\nsubmit = lambda o: tradeguard.route(broker, o)"),
        Invalid("await asyncio.gather(a.place_order(x), b.place_order(y))", count=2,
                expected_fix="import tradeguard\n\nawait asyncio.gather(tradeguard.route(a, x), tradeguard.route(b, y))"),
        Invalid("x = 1\nself.a.b.place_order(\n    symbol,\n    qty,\n)", line=2,
                expected_fix="import tradeguard\n\nx = 1\ntradeguard.route(\n    self.a.b,\n    symbol,\n    qty,\n)"),
        # The class's own order method, neither a connector's nor a gateway class's nor defined in
        # the project: reported, never rewritten to `route(self, …)` / `route(super(), …)`.
        Invalid("class Strategy(Base):\n    def go(self):\n        return super().place_order(o)", line=3),
        Invalid("class Grid(ExternalBase):\n    def tick(self):\n        self.place_order(o)", line=3,
                config={"gateway-classes": ["ExecutorBase"]}),
        # A subclass of the gateway class that sends on the connector object itself bypasses it.
        Invalid('''
            class CloseOutExecutor(ExecutorBase):
                def close_out(self, connector, amount):
                    return connector.place_order(is_buy=True, amount=amount)
            ''', line=3, config={"gateway-classes": ["ExecutorBase"]},
            expected_fix='''
            import tradeguard

            class CloseOutExecutor(ExecutorBase):
                def close_out(self, connector, amount):
                    return tradeguard.route(connector, is_buy=True, amount=amount)
            '''),
        # An override of the gateway's method is checked like any other code.
        Invalid('''
            class FastExecutor(ExecutorBase):
                def place_order(self, venue, order):
                    return self.connectors[venue].place_order(order)
            ''', line=3, config={"gateway-classes": ["ExecutorBase"]},
            expected_fix='''
            import tradeguard

            class FastExecutor(ExecutorBase):
                def place_order(self, venue, order):
                    return tradeguard.route(self.connectors[venue], order)
            '''),
        # Cython: reported on the receiver's line and column, never fixed.
        Invalid('''
            cdef class CrossMaker(StrategyBase):
                cdef str c_hedge(self, object market_pair, object amount):
                    return self.markets[market_pair.taker].place_order(
                        market_pair.pair, amount)
            ''', line=3, path="strategies/cross_maker.pyx"),
        # No connector object to route through: reported, not fixed.
        Invalid("from bot.broker import place_order\n\nplace_order('EUR_USD', 1000)", line=3),
        Invalid("from bot.broker import place_order as po\n\npo('EUR_USD', 1000)", line=3),
        Invalid("broker.send_order(o)", config={"order-methods": ["send_order"]},
                expected_fix="import tradeguard\n\ntradeguard.route(broker, o)"),
        Invalid("broker.execute(o)", config={"extend-order-methods": ["execute"]},
                expected_fix="import tradeguard\n\ntradeguard.route(broker, o)"),
        Invalid("self.broker.place_order(symbol, qty)", path="bot/strategies/momentum.py",
                config={"gateway-paths": ["bot/execution/gateway.py"], "connector-paths": ["bot/connectors/**"]},
                expected_fix="import tradeguard\n\ntradeguard.route(self.broker, symbol, qty)"),
        # The fix: the import goes after the docstring and the imports at the top; comments,
        # keywords, star arguments and one-argument-per-line layouts are kept.
        Invalid('''
            """Momentum."""
            from __future__ import annotations

            import logging


            def on_bar(broker, close, *legs, **extra):
                # one order per bar
                return broker.place_order("EUR_USD", *legs, price=close, **extra)  # at the close
            ''', line=9, expected_fix='''
            """Momentum."""
            from __future__ import annotations

            import logging
            import tradeguard


            def on_bar(broker, close, *legs, **extra):
                # one order per bar
                return tradeguard.route(broker, "EUR_USD", *legs, price=close, **extra)  # at the close
            '''),
        Invalid('"""Scalper."""\n\n\nclass Scalper:\n    def go(self):\n        self.broker.place_order(o)', line=6,
                expected_fix='"""Scalper."""\n\nimport tradeguard\n\n\nclass Scalper:\n    def go(self):\n        tradeguard.route(self.broker, o)'),
        Invalid("broker.place_order(  # sized by the signal\n    symbol,\n    qty=qty,\n)",
                expected_fix="import tradeguard\n\ntradeguard.route(  # sized by the signal\n    broker,\n    symbol,\n    qty=qty,\n)"),
        Invalid("a.place_order(b.place_order(x))", count=2,
                expected_fix="import tradeguard\n\ntradeguard.route(a, tradeguard.route(b, x))"),
        # An import of the gateway function already at the top is reused.
        Invalid("import tradeguard as tg\n\nbroker.place_order(o)", line=3,
                expected_fix="import tradeguard as tg\n\ntg.route(broker, o)"),
        Invalid("from tradeguard import ok, route\n\nbroker.place_order(o)", line=3,
                expected_fix="from tradeguard import ok, route\n\nroute(broker, o)"),
        # The project's own gateway function.
        Invalid("broker.place_order(o)", config={"fix": {"route-call": "bot.execution.gateway.route"}},
                expected_fix="from bot.execution.gateway import route\n\nroute(broker, o)"),
        # No exact rewrite: the name the import would bind is taken, or a comment would be lost.
        Invalid("tradeguard = load()\nbroker.place_order(o)", line=2),
        Invalid("def go(broker, route):\n    broker.place_order(route)", line=2,
                config={"fix": {"route-call": "bot.execution.gateway.route"}}),
        Invalid("(broker  # the paper one\n    .place_order(o))"),
    ]

    # A call of an order method that is not its definition (`def place_order(`), or an import
    # of one under another name (`from broker import place_order as po`).
    needed_text = r"{name}{start}(?:(?<!def {name})\s*\(|\s+as\b)"

    def visit_Module(self, node) -> None:
        self.module = node

    def visit_Call(self, node) -> None:
        func = node.func
        order_methods = self.context.config.order_methods
        if isinstance(func, cst.Attribute) and func.attr.value in order_methods:
            if self.routes_own_method(func.value, func.attr.value):
                return
            # `route(self, …)` would make the strategy its own connector: reported, not fixed
            fix = {} if is_self_or_super(func.value) else self.route_fix(node)
            self.report(node, self.message.format(callee=describe(func)), **fix)
        elif isinstance(func, cst.Name) and imported_order_function(self.context, func.value):
            self.report(node, self.message.format(callee=func.value))

    def route_fix(self, call) -> dict:
        """The fix as ``report`` takes it: ``x.m(args)`` becomes ``route(x, args)``, with the
        import ``route`` needs. Nothing where no exact rewrite exists (see Fix safety)."""
        func = call.func
        if any(_has_comment(part) for part in (func.dot, *func.lpar, *func.rpar)):
            return {}  # the comment between the receiver and the method would be lost
        if "gateway" not in self.__dict__:  # once per file
            target = fix_settings(self.context.config).route_call
            self.gateway = gateway_callee(self.module, self.context.text, target)
        if self.gateway is None:
            return {}
        callee, imports = self.gateway
        receiver = cst.Arg(func.value, comma=_comma_before(call.whitespace_before_args) if call.args else cst.MaybeSentinel.DEFAULT)
        return {"replacement": call.with_changes(func=callee, args=(receiver, *call.args)), "imports": imports}


def gateway_callee(module, text: str, target: str):
    """How the file can call ``target`` (``module.function``): the callee node and the imports
    to add. An import at the top of the module that binds it is reused; otherwise the fix adds
    ``import module`` for a top-level module (``tradeguard.route``) or ``from package.module
    import function``. None when the name that import would bind is already used in the file."""
    module_name, _, function = target.rpartition(".")
    for statement in module.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            written = _written_as(small, module_name, function)
            if written:
                return cst.parse_expression(written), ()
    if "." in module_name:
        bound, statement, written = function, f"from {module_name} import {function}", function
    else:
        bound, statement, written = module_name, f"import {module_name}", target
    if re.search(rf"\b{bound}\b", text) and _uses_name(module, bound):
        return None
    return cst.parse_expression(written), (statement,)


def _written_as(statement, module_name: str, function: str) -> str | None:
    """How ``module_name.function`` can be written in a file where ``statement`` is a top-level
    import, if it binds either of them."""
    if isinstance(statement, cst.ImportFrom) and not statement.relative and statement.module is not None:
        if dotted(statement.module) == module_name and not isinstance(statement.names, cst.ImportStar):
            for alias in statement.names:
                if dotted(alias.name) == function:
                    return alias.asname.name.value if alias.asname else function
    elif isinstance(statement, cst.Import):
        for alias in statement.names:
            if dotted(alias.name) == module_name:
                return f"{alias.asname.name.value if alias.asname else module_name}.{function}"
    return None


def _uses_name(node, name: str) -> bool:
    """Whether ``name`` is bound or read anywhere in ``node``; attribute names and the module of
    a ``from`` import are not uses. Parameters and keywords count (conservative)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            if node.value == name:
                return True
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
        elif isinstance(node, cst.ImportFrom):
            if not isinstance(node.names, cst.ImportStar):
                stack.extend(alias.asname or alias.name for alias in node.names)
        else:
            stack.extend(node.children)
    return False


def _has_comment(node) -> bool:
    return "#" in cst.Module([]).code_for_node(node)


def _comma_before(whitespace):
    """The comma after the new first argument, followed by the whitespace that preceded the old
    first one, so that one argument per line stays one per line (a comment stays after the `(`)."""
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[]))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
