"""Trades breakouts on broker clients of its own, switched to LIVE and pointed at live endpoints."""

from alpaca.trading.client import TradingClient
from ib_async import IB

OANDA_CANDLES = "https://api-fxtrade.oanda.com/v3/instruments/{instrument}/candles"


class Breakout:
    def __init__(self, key_id: str, secret_key: str) -> None:
        self.ib = IB().connect("127.0.0.1", 7496, clientId=11)
        self.alpaca = TradingClient(key_id, secret_key, paper=False)
