from __future__ import annotations

import re

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Valid
from lint_rules.rules._orders import OrderRoutingRule, describe

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
    imports: `ib.placeOrder(...)` (ib_async, ib_insync, ibapi); oandapyV20's `OrderCreate`,
    `OrderReplace`, `TradeClose`, `TradeCRCDO`, `PositionClose` requests; OANDA v20's
    `ctx.order.market(...)` and the other `ctx.order` senders; Coinbase Advanced's
    `create_order`, `market_order_*`, `limit_order_*`, `stop_limit_order_*`; alpaca's
    `submit_order`; ccxt's `create_order` and `create_*_order`. Previews (`whatIfOrder`,
    `preview_*`) are not orders and are not reported.

    ## Why is this bad?
    A strategy that talks to the SDK itself skips both the connector (which turns broker replies
    into canonical results) and the gateway (PAPER by default, arming, kill switch, limits, audit).
    This is the most direct way to trade real money by accident.

    ## Example
    ```python
    from ib_async import IB, MarketOrder

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
        Valid("from ib_async import IB\nib.whatIfOrder(contract, order)\nib.reqPositions()"),
        Valid("from coinbase.rest import RESTClient\nclient.preview_market_order_buy('BTC-USD', '10')"),
        Valid("import v20\nctx.order.get(account, order_id)\nctx.order.list_pending(account)"),
        Valid("exchange.create_order('BTC/USDT', 'market', 'buy', 1)"),  # no ccxt import: not ccxt
        Valid("from ib_async import IB\nib.placeOrder(contract, order)", path="bot/connectors/ibkr.py",
              config={"connector-paths": ["bot/connectors/**"]}),
        Valid("import ccxt\nex.create_order('BTC/USDT', 'limit', 'buy', 1, 100)", path="bot/gateway.py",
              config={"gateway-paths": ["bot/gateway.py"]}),
        Valid("from alpaca.trading.client import TradingClient\nclient.get_orders()"),
    ]
    INVALID = [
        Invalid("from ib_async import IB, MarketOrder\nib = IB()\nib.placeOrder(c, MarketOrder('BUY', 1))", line=3, message="ib_async"),
        Invalid("from ib_insync import *\nself.ib.placeOrder(contract, order)", line=2),
        Invalid("from ibapi.client import EClient\nself.placeOrder(self.next_id, contract, order)", line=2),
        Invalid("import oandapyV20.endpoints.orders as orders\nr = orders.OrderCreate(account_id, data=body)", line=2, message="oandapyV20"),
        Invalid("from oandapyV20.endpoints.orders import OrderCreate\nr = OrderCreate(account_id, data=body)", line=2),
        Invalid("import v20\nctx = v20.Context('api-fxpractice.oanda.com')\nctx.order.market(account, instrument='EUR_USD', units=100)", line=3, message="v20"),
        Invalid("from coinbase.rest import RESTClient\nclient.market_order_buy(client_order_id='1', product_id='BTC-USD', quote_size='10')", line=2),
        Invalid("from coinbase.rest import RESTClient\nclient.limit_order_gtc_sell('1', 'BTC-USD', '0.1', '90000')", line=2),
        Invalid("from coinbase.rest import RESTClient\nclient.create_order('1', 'BTC-USD', 'BUY', cfg)", line=2),
        Invalid("from alpaca.trading.client import TradingClient\nclient.submit_order(order_data=req)", line=2, message="alpaca"),
        Invalid("import ccxt.async_support as ccxt\nawait ex.create_market_buy_order('BTC/USDT', 1)", line=2, message="ccxt"),
        Invalid("import ccxt\nex.createOrder('BTC/USDT', 'market', 'buy', 1)", line=2),
    ]

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return (*SDK_ORDER_CALLS, "v20")

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        imported = {qualified.split(".")[0] for qualified in context.imports.values()}
        self.sdks = {sdk: pattern for sdk, pattern in SDK_ORDER_CALLS.items() if sdk in imported}
        self.uses_v20 = "v20" in imported

    def visit_Call(self, node) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            name = func.attr.value
        elif isinstance(func, cst.Name):
            name = func.value
        else:
            return
        for sdk, pattern in self.sdks.items():
            if pattern.fullmatch(name) and self._from_sdk(func, sdk):
                self.report(node, self.message.format(sdk=sdk, callee=describe(func)))
                return
        if (
            self.uses_v20
            and isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Attribute)
            and func.value.attr.value == "order"
            and V20_ORDER_ENDPOINT.fullmatch(name)
        ):
            self.report(node, self.message.format(sdk="v20", callee=describe(func)))

    def _from_sdk(self, func, sdk: str) -> bool:
        """A bare name must itself come from the SDK; a method call on any receiver counts once
        the module imports the SDK (the receiver is usually an SDK client object)."""
        if isinstance(func, cst.Name):
            return self.context.imports.get(func.value, "").split(".")[0] == sdk
        return True
