"""A prototype that talks to the SDKs itself: every order here skips connector and gateway."""

import oandapyV20
import oandapyV20.endpoints.orders as orders
from coinbase.rest import RESTClient
from ib_async import IB, MarketOrder, Stock


class Scalper:
    def __init__(self, token: str, account_id: str) -> None:
        self.ib = IB().connect("127.0.0.1", 7497, clientId=9)
        self.oanda = oandapyV20.API(access_token=token)
        self.account_id = account_id
        self.coinbase = RESTClient()

    def scalp(self, symbol: str) -> None:
        self.ib.placeOrder(Stock(symbol), MarketOrder("BUY", 10))
        self.oanda.request(orders.OrderCreate(self.account_id, data={"order": {"instrument": "EUR_USD", "units": "100"}}))
        self.coinbase.market_order_buy(client_order_id="scalp-1", product_id="BTC-USD", quote_size="10")

    def dry_run(self, symbol: str):
        # A preview sends nothing: not reported.
        return self.ib.whatIfOrder(Stock(symbol), MarketOrder("BUY", 10))
