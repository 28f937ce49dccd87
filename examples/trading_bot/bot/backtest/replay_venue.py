"""A venue that replays recorded fills for backtests: a connector by its base class, wherever it lives."""

from bot.connectors.base import BaseConnector


class ReplayVenue(BaseConnector):
    venue = "replay"

    def __init__(self, fills: list[dict]) -> None:
        self.fills = list(fills)

    def place_order(self, symbol, side, qty, price=None):
        if not self.fills:
            return
        return {"success": True, "data": self.fills.pop(0)}
