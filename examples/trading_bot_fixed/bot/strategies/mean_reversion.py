"""Sells stretches above the mean on several venues at once, through the gateway."""

from concurrent.futures import ThreadPoolExecutor
from statistics import mean


class MeanReversion:
    def __init__(self, gateway, venues=("ibkr", "coinbase")) -> None:
        self.gateway = gateway
        self.venues = venues

    def on_prices(self, symbol: str, history: list[float], price: float):
        if price < mean(history) * 1.02:
            return []
        with ThreadPoolExecutor(max_workers=len(self.venues)) as pool:
            futures = [
                pool.submit(self.gateway.submit, venue, symbol=symbol, side="SELL", qty=1, price=price)
                for venue in self.venues
            ]
        return [future.result()["data"] for future in futures if future.result()["success"]]
