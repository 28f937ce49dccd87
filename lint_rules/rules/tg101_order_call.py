from __future__ import annotations

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Rule, Valid
from lint_rules.rules._orders import (
    ConnectorClassTracker,
    describe,
    imported_order_function,
    is_self_or_super,
    outside_order_paths,
)


class OrderMethodCall(ConnectorClassTracker, Rule):
    """Order method called outside the gateway.

    ## What it does
    Reports every call of an order method (by default `place_order`; see `order-methods`) outside
    the gateway and connector paths: `x.place_order(...)` on any receiver (`self.broker`,
    `self.connectors[venue]`, `super()`), awaited or not, nested anywhere (inside `print(...)`,
    comprehensions, lambdas, `asyncio.gather(...)`), and bare calls of an order function imported
    from elsewhere (`from broker import place_order`). A multi-line call is reported on the line
    where it starts.

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

    ## Fix safety
    The fix rewrites `x.place_order(args)` to `tradeguard.route(x, args)` and adds the import. It is
    unsafe: the order now goes through the gateway, which in PAPER mode fills it on the paper broker
    instead of calling the connector; that change of behaviour is the point, but it must be reviewed.
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
    ]
    INVALID = [
        Invalid("self.broker.place_order(symbol, qty)"),
        Invalid("async def run(self):\n    await self.connectors[venue].place_order(order)", line=2),
        Invalid("print(broker.place_order('EUR_USD', 1))"),
        Invalid("results = [b.place_order(o) for o in orders]"),
        Invalid("submit = lambda o: broker.place_order(o)"),
        Invalid("await asyncio.gather(a.place_order(x), b.place_order(y))", count=2),
        Invalid("x = 1\nself.a.b.place_order(\n    symbol,\n    qty,\n)", line=2),
        Invalid("class Strategy(Base):\n    def go(self):\n        return super().place_order(o)", line=3),
        Invalid("from bot.broker import place_order\n\nplace_order('EUR_USD', 1000)", line=3),
        Invalid("from bot.broker import place_order as po\n\npo('EUR_USD', 1000)", line=3),
        Invalid("broker.send_order(o)", config={"order-methods": ["send_order"]}),
        Invalid("broker.execute(o)", config={"extend-order-methods": ["execute"]}),
        Invalid("self.broker.place_order(symbol, qty)", path="bot/strategies/momentum.py",
                config={"gateway-paths": ["bot/execution/gateway.py"], "connector-paths": ["bot/connectors/**"]}),
    ]

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return config.order_methods

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        return outside_order_paths(context)

    def visit_Call(self, node) -> None:
        func = node.func
        order_methods = self.context.config.order_methods
        if isinstance(func, cst.Attribute) and func.attr.value in order_methods:
            if self.in_connector_class() and is_self_or_super(func.value):
                return
            self.report(node, self.message.format(callee=describe(func)))
        elif isinstance(func, cst.Name) and imported_order_function(self.context, func.value):
            self.report(node, self.message.format(callee=func.value))
