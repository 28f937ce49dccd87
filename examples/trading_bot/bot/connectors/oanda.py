"""OANDA v20 REST through oandapyV20 (practice environment)."""

import oandapyV20
import oandapyV20.endpoints.orders as orders

from bot.connectors.base import BaseConnector


class OandaConnector(BaseConnector):
    venue = "oanda"

    def __init__(self, account_id: str, token: str, environment: str = "practice") -> None:
        self.account_id = account_id
        self.api = oandapyV20.API(access_token=token, environment=environment)

    def place_order(self, symbol, side, qty, price=None):
        units = qty if side == "BUY" else -qty
        body = {"order": {"instrument": symbol, "units": str(units), "type": "MARKET" if price is None else "LIMIT"}}
        request = orders.OrderCreate(self.account_id, data=body)
        reply = self.api.request(request)
        if "orderCancelTransaction" in reply:
            return {"success": "false", "error": reply["orderCancelTransaction"].get("reason", "cancelled"), "data": reply}
        # OANDA's JSON as it comes: every caller must know v20's field names.
        return reply
