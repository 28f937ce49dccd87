"""Buys what went up: one order per signal, through the gateway."""


class Momentum:
    def __init__(self, gateway, venue: str = "oanda", symbol: str = "EUR_USD") -> None:
        self.gateway = gateway
        self.venue = venue
        self.symbol = symbol

    def on_bar(self, previous_close: float, close: float):
        if close <= previous_close:
            return None
        result = self.gateway.submit(self.venue, symbol=self.symbol, side="BUY", qty=1000, price=close)
        if not result["success"]:
            print(f"order refused: {result['error']}")
            return None
        return result["data"].get("order_id")
