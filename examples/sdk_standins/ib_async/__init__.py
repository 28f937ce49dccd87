"""Offline stand-in for ib_async: the names and call shapes the example uses."""

from dataclasses import dataclass, field
from itertools import count

_order_ids = count(1)


@dataclass
class Stock:
    symbol: str
    exchange: str = "SMART"
    currency: str = "USD"


@dataclass
class MarketOrder:
    action: str
    totalQuantity: float


@dataclass
class LimitOrder:
    action: str
    totalQuantity: float
    lmtPrice: float


@dataclass
class OrderStatus:
    status: str = "Submitted"
    filled: float = 0.0
    avgFillPrice: float = 0.0


@dataclass
class Trade:
    contract: Stock
    order: object
    orderStatus: OrderStatus = field(default_factory=OrderStatus)
    orderId: int = 0


class IB:
    def connect(self, host="127.0.0.1", port=7497, clientId=1):
        self.port = port
        return self

    def placeOrder(self, contract, order):
        return Trade(contract, order, OrderStatus("Submitted"), next(_order_ids))

    def whatIfOrder(self, contract, order):
        return {"initMarginChange": "0"}
