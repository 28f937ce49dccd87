"""Buys what went up: one order per signal, straight to the connector."""


class Momentum:
    def __init__(self, broker, symbol: str = "EUR_USD") -> None:
        self.broker = broker
        self.symbol = symbol

    def on_bar(self, previous_close: float, close: float):
        if close <= previous_close:
            return None
        result = self.broker.place_order(self.symbol, "BUY", 1000, price=close)
        return result["orderFillTransaction"]["id"]
