"""Offline stand-in for oandapyV20: `API(...).request(endpoint)` returns a canned reply."""


class API:
    def __init__(self, access_token, environment="practice"):
        self.environment = environment

    def request(self, endpoint):
        endpoint.response = endpoint.canned_reply()
        return endpoint.response
