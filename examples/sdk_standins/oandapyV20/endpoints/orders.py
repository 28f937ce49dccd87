"""Offline stand-in for oandapyV20.endpoints.orders."""


class OrderCreate:
    def __init__(self, accountID, data):
        self.accountID = accountID
        self.data = data

    def canned_reply(self):
        order = self.data["order"]
        return {
            "orderCreateTransaction": {"id": "101", "instrument": order["instrument"], "units": order["units"]},
            "orderFillTransaction": {"id": "102", "price": "1.08550"},
            "lastTransactionID": "102",
        }
