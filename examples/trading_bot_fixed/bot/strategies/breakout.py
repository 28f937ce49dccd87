"""Trades breakouts through the gateway: which account (practice or live) is the connectors' and the operator's business."""


class Breakout:
    def __init__(self, gateway, venue: str = "ibkr") -> None:
        self.gateway = gateway
        self.venue = venue

    def on_bar(self, symbol: str, high: float, close: float):
        if close <= high:
            return None
        result = self.gateway.submit(self.venue, symbol=symbol, side="BUY", qty=10, price=close)
        return result["data"].get("order_id") if result["success"] else None
