"""Interactive Brokers through ib_async (paper TWS port 7497)."""

from ib_async import IB, LimitOrder, MarketOrder, Stock

from bot.connectors.base import BaseConnector
from tradeguard import ok


class IbkrConnector(BaseConnector):
    venue = "ibkr"

    def __init__(self, host: str = "127.0.0.1", port: int = 7497, client_id: int = 7) -> None:
        self.ib = IB().connect(host, port, clientId=client_id)

    def place_order(self, symbol, side, qty, price=None):
        order = MarketOrder(side, qty) if price is None else LimitOrder(side, qty, price)
        trade = self.ib.placeOrder(Stock(symbol), order)
        status = trade.orderStatus.status
        if status in ("Cancelled", "ApiCancelled", "Inactive"):
            return None
        return trade.orderId, status

    def preview(self, symbol, side, qty):
        return ok(self.ib.whatIfOrder(Stock(symbol), MarketOrder(side, qty)))
