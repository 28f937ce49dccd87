"""Offline stand-in for coinbase-advanced-py's RESTClient."""

from itertools import count

_ids = count(1)


class RESTClient:
    def __init__(self, api_key=None, api_secret=None):
        self.api_key = api_key

    def market_order_buy(self, client_order_id, product_id, quote_size=None, base_size=None):
        return {"success": True, "success_response": {"order_id": f"cb-{next(_ids)}", "product_id": product_id}}

    def market_order_sell(self, client_order_id, product_id, base_size):
        return {"success": True, "success_response": {"order_id": f"cb-{next(_ids)}", "product_id": product_id}}

    def preview_market_order_buy(self, product_id, quote_size):
        return {"order_total": quote_size}
