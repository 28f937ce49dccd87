"""Coinbase Advanced Trade through coinbase-advanced-py's RESTClient."""

import uuid

from coinbase.rest import RESTClient

from bot.connectors.base import BaseConnector


class CoinbaseConnector(BaseConnector):
    venue = "coinbase"

    def __init__(self, api_key: str, api_secret: str) -> None:
        self.client = RESTClient(api_key=api_key, api_secret=api_secret)

    def place_order(self, symbol, side, qty, price=None):
        send = self.client.market_order_buy if side == "BUY" else self.client.market_order_sell
        reply = send(client_order_id=str(uuid.uuid4()), product_id=symbol, base_size=str(qty))
        if not reply.get("success"):
            return {"success": False, "error": None, "data": reply}
        return {"success": True, "error": None, "order_id": reply["success_response"]["order_id"]}
