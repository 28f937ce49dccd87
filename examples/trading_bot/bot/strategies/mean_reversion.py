"""Sells stretches above the mean on several venues at once, calling connectors directly."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from statistics import mean


class MeanReversion:
    def __init__(self, connectors: dict) -> None:
        self.connectors = connectors

    def on_prices(self, symbol: str, history: list[float], price: float):
        if price < mean(history) * 1.02:
            return []
        with ThreadPoolExecutor(max_workers=len(self.connectors)) as pool:
            futures = [
                pool.submit(self.connectors[venue].place_order, symbol, "SELL", 1, price)
                for venue in self.connectors
            ]
        return [future.result() for future in futures]

    async def on_prices_async(self, symbol: str, price: float):
        return await asyncio.gather(
            *(asyncio.to_thread(connector.place_order, symbol, "SELL", 1, price) for connector in self.connectors.values())
        )

    def hedge_later(self, symbol: str, qty: float):
        threading.Thread(target=self.connectors["ibkr"].place_order, args=(symbol, "BUY", qty)).start()

    def margin_needed(self, symbol: str, qty: float) -> float:
        preview = self.connectors["ibkr"].preview(symbol, "SELL", qty)
        return float(preview["initMarginChange"])
