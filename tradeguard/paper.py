"""The paper broker: fills orders in memory so PAPER mode never reaches a real broker.

A limit order fills at its own price. A market order fills at the market price the gateway hands in
(from its price source); with no price it is accepted and left unfilled (status ``accepted``), which
is what a real broker says before the fill arrives. Positions are the signed sum of filled
quantities per venue and symbol."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from typing import Callable, Optional, Union

from tradeguard.orders import OrderView
from tradeguard.results import CanonicalResult, fail

PriceSource = Union[Callable[[str], Optional[float]], Mapping]


def price_lookup(source: Optional[PriceSource]) -> Callable[[str], Optional[float]]:
    """A ``symbol -> positive price or None`` function from a callable, a mapping, or nothing.

    A failing or nonsensical feed answers None, so the order is treated as having no price.
    """
    if source is None:
        return lambda symbol: None
    if isinstance(source, Mapping):
        fetch: Callable[[str], object] = source.get
    elif callable(source):
        fetch = source
    else:
        raise TypeError(f"price_source must be a callable or a mapping of prices, not {type(source).__name__}")

    def quote(symbol: str) -> Optional[float]:
        try:
            price = fetch(symbol)
        except Exception:
            return None
        if isinstance(price, bool) or not isinstance(price, (int, float)) or not 0 < price < float("inf"):
            return None
        return float(price)

    return quote


class PaperBroker:
    def __init__(self) -> None:
        self._positions: dict[tuple[str, str], float] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def execute(self, venue: str, order: OrderView, market_price: Optional[float]) -> CanonicalResult:
        """Fill ``order``: a limit at its price, a market order at ``market_price`` when there is one."""
        if order.symbol is None:
            return fail("paper broker: the order names no symbol")
        if order.quantity is None or order.quantity <= 0:
            return fail("paper broker: the order has no positive quantity")
        if order.side is None:
            return fail("paper broker: the order has no side (buy/sell)")
        fill_price = order.price if order.price is not None else market_price
        with self._lock:
            order_id = f"paper-{next(self._ids)}"
            if fill_price is not None:
                key = (venue, order.symbol)
                self._positions[key] = self._positions.get(key, 0.0) + order.signed_quantity
        return {  # ok(...) without its copy: the data is ours
            "success": True,
            "error": None,
            "data": {
                "order_id": order_id,
                "status": "filled" if fill_price is not None else "accepted",
                "symbol": order.symbol,
                "side": order.side,
                "quantity": order.quantity,
                "filled_quantity": order.quantity if fill_price is not None else 0.0,
                "fill_price": fill_price,
                "paper": True,
            },
        }

    def positions(self) -> dict[str, dict[str, float]]:
        """Open positions by venue and symbol (flat ones left out)."""
        with self._lock:
            table: dict[str, dict[str, float]] = {}
            for (venue, symbol), quantity in self._positions.items():
                if quantity:
                    table.setdefault(venue, {})[symbol] = quantity
            return table
