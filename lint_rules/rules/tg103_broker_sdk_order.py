from __future__ import annotations

import re

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Valid
from lint_rules.rules._orders import OrderRoutingRule, describe, dotted

# SDK (top-level import name) -> pattern of the names of calls that send an order.
# Previews and what-if calls (`whatIfOrder`, `preview_*`) do not match: they send nothing.
_IB = re.compile(r"placeOrder")
SDK_ORDER_CALLS: dict[str, re.Pattern[str]] = {
    "ib_insync": _IB,
    "ib_async": _IB,
    "ibapi": _IB,
    # oandapyV20 builds an order-sending request object; api.request(r) then sends it.
    "oandapyV20": re.compile(r"OrderCreate|OrderReplace|TradeClose|TradeCRCDO|PositionClose"),
    "coinbase": re.compile(r"create_order|(?:market|limit|stop_limit|trigger_bracket)_order(?:_\w+)?"),
    "alpaca": re.compile(r"submit_order"),
    "alpaca_trade_api": re.compile(r"submit_order"),
    "ccxt": re.compile(r"create(?:_\w+)?_order|create\w*Order"),
}
# OANDA's v20 library sends orders through the `order` endpoint of its context: ctx.order.market(...).
V20_ORDER_ENDPOINT = re.compile(
    r"create|market|limit|stop|market_if_touched|take_profit|stop_loss|trailing_stop_loss|replace"
)


class BrokerSdkOrder(OrderRoutingRule):
    """Broker SDK order call outside connector and gateway paths.

    ## What it does
    Reports calls that send an order through a broker SDK directly, recognised through the file's
    imports and the receiver: `ib.placeOrder(...)` (ib_async, ib_insync, ibapi); oandapyV20's `OrderCreate`,
    `OrderReplace`, `TradeClose`, `TradeCRCDO`, `PositionClose` requests; OANDA v20's
    `ctx.order.market(...)` and the other `ctx.order` senders; Coinbase Advanced's
    `create_order`, `market_order_*`, `limit_order_*`, `stop_limit_order_*`; alpaca's
    `submit_order`; ccxt's `create_order` and `create_*_order`. Previews (`whatIfOrder`,
    `preview_*`) are not orders and are not reported.

    A method call counts only when its receiver is known to be the SDK's client: built from the
    imported SDK in this file (`ib = IB()`, `ex = ccxt.binance(config)`,
    `getattr(ccxt, name)(config)`, `IB().connect(...)`), annotated as one (`client: RESTClient`,
    `self._api: ccxt.Exchange`), or `self` in a class deriving from the SDK's client class (an
    `EClient` subclass calling `self.placeOrder`). A method of the project's own classes with a
    similar name (`self.create_dry_run_order(...)`, a `create_order` of the project's exchange
    wrapper) is not one.

    ## Why is this bad?
    A strategy that talks to the SDK itself skips both the connector (which turns broker replies
    into canonical results) and the gateway (PAPER by default, arming, kill switch, limits, audit).
    This is the most direct way to trade real money by accident.

    ## Example
    ```python
    from ib_async import IB, MarketOrder

    ib = IB()
    ib.placeOrder(contract, MarketOrder("BUY", 100))
    ```

    ## Use instead
    Put the SDK call in a connector (under `connector-paths`) and send orders through the gateway:
    ```python
    gateway.submit("ibkr", symbol="AAPL", side="BUY", qty=100)
    ```

    ## Options
    - `connector-paths`, `gateway-paths`: where SDK order calls belong.

    ## Fix safety
    No fix: the connector method to call instead is the project's own.
    """

    code = "TG103"
    name = "broker-sdk-order"
    message = "direct {sdk} order call `{callee}(...)` outside connector and gateway paths: send orders through a connector and the gateway"

    VALID = [
        Valid("from ib_async import IB\nib = IB()\nib.whatIfOrder(contract, order)\nib.reqPositions()"),
        Valid("from coinbase.rest import RESTClient\nclient = RESTClient()\nclient.preview_market_order_buy('BTC-USD', '10')"),
        Valid("import v20\nctx = v20.Context(host)\nctx.order.get(account, order_id)\nctx.order.list_pending(account)"),
        Valid("exchange.create_order('BTC/USDT', 'market', 'buy', 1)"),  # no ccxt import: not ccxt
        Valid("from ib_async import IB\nib = IB()\nib.placeOrder(contract, order)", path="bot/connectors/ibkr.py",
              config={"connector-paths": ["bot/connectors/**"]}),
        Valid("import ccxt\nex = ccxt.kraken()\nex.create_order('BTC/USDT', 'limit', 'buy', 1, 100)", path="bot/gateway.py",
              config={"gateway-paths": ["bot/gateway.py"]}),
        Valid("from alpaca.trading.client import TradingClient\nclient = TradingClient(key, secret)\nclient.get_orders()"),
        # The project's own paper path and its own exchange wrapper share the SDK's method names.
        Valid('''
            import ccxt

            class Exchange:
                def create_order(self, pair, side, amount):
                    if self.dry_run:
                        return self.create_dry_run_order(pair, side, amount)
                    return self.place(pair, side, amount)
            '''),
        Valid('''
            import ccxt
            from bot.exchange import Exchange

            def test_create_order(exchange: Exchange):
                order = exchange.create_order(pair="LTC/USDT", side="buy", amount=1)
                assert order["id"]
            '''),
        # A receiver the file knows nothing about is not assumed to be the SDK's.
        Valid("from ib_insync import IB\nself.broker.placeOrder(contract, order)"),
    ]
    INVALID = [
        Invalid("from ib_async import IB, MarketOrder\nib = IB()\nib.placeOrder(c, MarketOrder('BUY', 1))", line=3, message="ib_async"),
        Invalid("from ib_insync import *\nib = IB()\nib.placeOrder(contract, order)", line=3),
        Invalid("from ib_async import IB\nIB().placeOrder(contract, order)", line=2),
        Invalid('''
            from ibapi.client import EClient
            from ibapi.wrapper import EWrapper

            class App(EWrapper, EClient):
                def buy(self, contract, order):
                    self.placeOrder(self.next_id, contract, order)
            ''', line=6),
        Invalid("import oandapyV20.endpoints.orders as orders\nr = orders.OrderCreate(account_id, data=body)", line=2, message="oandapyV20"),
        Invalid("from oandapyV20.endpoints.orders import OrderCreate\nr = OrderCreate(account_id, data=body)", line=2),
        Invalid("import v20\nctx = v20.Context('api-fxpractice.oanda.com')\nctx.order.market(account, instrument='EUR_USD', units=100)", line=3, message="v20"),
        Invalid("from coinbase.rest import RESTClient\nclient = RESTClient(key, secret)\nclient.market_order_buy(client_order_id='1', product_id='BTC-USD', quote_size='10')", line=3),
        Invalid("from coinbase.rest import RESTClient\n\ndef sell(client: RESTClient):\n    client.limit_order_gtc_sell('1', 'BTC-USD', '0.1', '90000')", line=4),
        Invalid("from coinbase.rest import RESTClient\nclient = RESTClient()\nclient.create_order('1', 'BTC-USD', 'BUY', cfg)", line=3),
        Invalid("from alpaca.trading.client import TradingClient\nclient = TradingClient(key, secret)\nclient.submit_order(order_data=req)", line=3, message="alpaca"),
        Invalid("import ccxt.async_support as ccxt\nex = ccxt.binance(config)\nawait ex.create_market_buy_order('BTC/USDT', 1)", line=3, message="ccxt"),
        Invalid("import ccxt\nex = getattr(ccxt, exchange_id)({'enableRateLimit': True})\nex.createOrder('BTC/USDT', 'market', 'buy', 1)", line=3),
        # The exchange wrapper's own ccxt handle, annotated in __init__ and used further down.
        Invalid('''
            import ccxt

            class Exchange:
                def __init__(self, config):
                    self._api: ccxt.Exchange
                    self._api = self._init_ccxt(config)

                def create_order(self, pair, side, amount):
                    return self._api.create_order(pair, "limit", side, amount)
            ''', line=9),
    ]

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return (*SDK_ORDER_CALLS, "v20")

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        # The imports are the index's (no parse): a file that only names an SDK is skipped.
        return super().applies_to(context) and context.imports_module(*SDK_ORDER_CALLS, "v20")

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        imported = {qualified.split(".")[0] for qualified in context.imports.values()}
        self.sdks = {sdk: pattern for sdk, pattern in SDK_ORDER_CALLS.items() if sdk in imported}
        if "v20" in imported:
            self.sdks["v20"] = V20_ORDER_ENDPOINT
        self.star_sdks = [
            qualified.split(".")[0] for local, qualified in context.imports.items()
            if local.startswith("*") and qualified.split(".")[0] in self.sdks
        ]
        # Receivers known to be an SDK's client (`self.ib`, `exchange`), by the SDK they belong to.
        self.clients: dict[str, str] = {}
        self.sdk_classes: list[str | None] = []   # per enclosing class: the SDK it derives from
        # Order-named calls, decided at the end of the module, once every client is known.
        self.candidates: list[tuple[object, object, str, str]] = []

    # --- what is an SDK client ---------------------------------------------------------
    def sdk_of(self, node) -> str | None:
        """The SDK a name, attribute chain or call chain comes from (``ccxt.binance``,
        ``IB().connect(...)``, ``getattr(ccxt, name)(...)``, ``Optional[IB]``), if any."""
        while True:
            if isinstance(node, cst.Call):
                if dotted(node.func) == "getattr" and node.args:
                    node = node.args[0].value
                else:
                    node = node.func
            elif isinstance(node, cst.Attribute):
                node = node.value
            elif isinstance(node, cst.Subscript):  # Optional[IB], list[RESTClient]
                return next(filter(None, (self.sdk_of(element.slice.value) for element in node.slice
                                          if isinstance(element.slice, cst.Index))), None)
            elif isinstance(node, cst.BinaryOperation):  # IB | None
                return self.sdk_of(node.left) or self.sdk_of(node.right)
            elif isinstance(node, cst.Name):
                qualified = self.context.imports.get(node.value)
                if qualified is not None:
                    sdk = qualified.split(".")[0]
                    return sdk if sdk in self.sdks else None
                # `from ib_insync import *`: a capitalised name not imported otherwise
                return self.star_sdks[0] if self.star_sdks and node.value[:1].isupper() else None
            else:
                return None

    def _remember(self, target, value) -> None:
        name = dotted(target)
        sdk = self.sdk_of(value) if value is not None else None
        if name and sdk:
            self.clients[name] = sdk

    def visit_ClassDef(self, node) -> None:
        self.sdk_classes.append(next(filter(None, (self.sdk_of(arg.value) for arg in node.bases)), None))

    def leave_ClassDef(self, node) -> None:
        self.sdk_classes.pop()

    def visit_Assign(self, node) -> None:
        if isinstance(node.value, (cst.Call, cst.Await)):
            value = node.value.expression if isinstance(node.value, cst.Await) else node.value
            for target in node.targets:
                self._remember(target.target, value)

    def visit_AnnAssign(self, node) -> None:
        self._remember(node.target, node.annotation.annotation)

    def visit_Param(self, node) -> None:
        if node.annotation is not None:
            self._remember(node.name, node.annotation.annotation)

    # --- order calls ----------------------------------------------------------------------
    def visit_Call(self, node) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
        if name is None:
            return
        for sdk, pattern in self.sdks.items():
            if pattern.fullmatch(name):
                self.candidates.append((node, func, sdk, self.sdk_classes[-1] if self.sdk_classes else None))

    def leave_Module(self, node) -> None:
        for call, func, sdk, sdk_class in self.candidates:
            if self._is_sdk_call(func, sdk, sdk_class):
                self.report(call, self.message.format(sdk=sdk, callee=describe(func)))

    def _is_sdk_call(self, func, sdk: str, sdk_class: str | None) -> bool:
        """Whether the call goes to the SDK: a function or request class of the SDK itself
        (``OrderCreate(...)``, ``orders.OrderCreate(...)``), or a method of a receiver known to be
        its client: built from the SDK, annotated as one, or ``self`` in a subclass of one."""
        if isinstance(func, cst.Name):
            return self.sdk_of(func) == sdk
        receiver = func.value
        if sdk == "v20":  # ctx.order.market(...): the `order` endpoint of a v20 context
            if not (isinstance(receiver, cst.Attribute) and receiver.attr.value == "order"):
                return False
            receiver = receiver.value
        if isinstance(receiver, cst.Name) and receiver.value == "self":
            return sdk_class == sdk or self.clients.get("self") == sdk
        name = dotted(receiver)
        if name is not None and name in self.clients:
            return self.clients[name] == sdk
        return self.sdk_of(receiver) == sdk
