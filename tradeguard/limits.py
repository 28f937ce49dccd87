"""Pre-trade limits: checked before an order leaves the gateway, in PAPER and LIVE alike.

Configured in code (:class:`Limits`) or in ``[tool.tradeguard.limits]``::

    [tool.tradeguard.limits]
    max-notional = 50000          # per order: quantity x the price source's quote (or the limit
                                  # price when higher); no quote from the price source: refused
    max-orders = 20               # orders admitted per window...
    window-seconds = 60           # ...of this many seconds (sliding)
    allowed-symbols = ["EUR_USD", "BTC-USD"]
    max-position = 100000         # per venue and symbol, absolute, counting accepted orders

A denial names a machine-readable ``code`` (see ``DENIAL_CODES``) and a sentence for people.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable, Optional

from tradeguard.config import ConfigError, check_keys, runtime_table
from tradeguard.orders import Denial, OrderView

TABLE_KEYS = ("max-notional", "max-orders", "window-seconds", "allowed-symbols", "max-position")
DENIAL_CODES = (
    "symbol_not_allowed",
    "quantity_unknown",
    "notional_unknown",
    "max_notional",
    "max_orders",
    "max_position",
)


@dataclass(frozen=True)
class Limits:
    max_notional: Optional[float] = None
    max_orders: Optional[int] = None
    window_seconds: float = 60.0
    allowed_symbols: Optional[frozenset[str]] = None
    max_position: Optional[float] = None

    def __post_init__(self) -> None:
        if self.allowed_symbols is not None and not isinstance(self.allowed_symbols, frozenset):
            object.__setattr__(self, "allowed_symbols", frozenset(self.allowed_symbols))

    @classmethod
    def from_mapping(cls, table: Mapping, where: str = "limits") -> "Limits":
        """Limits from a table with the pyproject keys (``max-notional`` …); errors name the key."""
        check_keys(table, TABLE_KEYS, where)
        symbols = table.get("allowed-symbols")
        if symbols is not None and (not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols)):
            raise ConfigError(f"{where}: allowed-symbols must be a list of strings")
        return cls(
            max_notional=_positive(table, "max-notional", where),
            max_orders=_positive(table, "max-orders", where, integer=True),
            window_seconds=_positive(table, "window-seconds", where) or 60.0,
            allowed_symbols=frozenset(symbols) if symbols is not None else None,
            max_position=_positive(table, "max-position", where),
        )

    @classmethod
    def from_pyproject(cls, start: Optional[os.PathLike | str] = None) -> "Limits":
        table, where = runtime_table("limits", start)
        return cls.from_mapping(table, where)


class LimitBook:
    """The state limits need (recent order times, exposure per venue and symbol), thread-safe."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._recent: deque[float] = deque()
        self._exposure: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def admit(self, venue: str, order: OrderView, quote: Optional[float]) -> Optional[Denial]:
        """Check ``order`` against the price source's ``quote`` (the order's own price is never
        trusted alone: price 0 or 1e-300 would make any size pass); None means admitted, and then
        it counts against the order rate and its position until :meth:`release` takes it back."""
        limits = self.limits
        denial = self._static_denial(order, quote)
        if denial is not None or (limits.max_position is None and limits.max_orders is None):
            return denial
        with self._lock:  # check and reserve at once, so concurrent orders cannot overshoot together
            key = (venue, order.symbol)
            after = self._exposure.get(key, 0.0) + (order.signed_quantity or 0.0)
            if limits.max_position is not None and abs(after) > limits.max_position:
                return Denial(
                    "max_position",
                    f"position in {order.symbol} on {venue} would be {after:g}, above max-position "
                    f"{limits.max_position:g}",
                )
            if limits.max_orders is not None:
                now = self._clock()
                while self._recent and self._recent[0] <= now - limits.window_seconds:
                    self._recent.popleft()
                if len(self._recent) >= limits.max_orders:
                    return Denial(
                        "max_orders",
                        f"{limits.max_orders} orders already sent in the last {limits.window_seconds:g}s",
                    )
                self._recent.append(now)
            if order.signed_quantity is not None and limits.max_position is not None:
                self._exposure[key] = after
        return None

    def release(self, venue: str, order: Optional[OrderView]) -> None:
        """Take back the position an admitted order reserved, when the broker did not accept it."""
        if order is None or order.signed_quantity is None or self.limits.max_position is None:
            return
        with self._lock:
            key = (venue, order.symbol)
            self._exposure[key] = self._exposure.get(key, 0.0) - order.signed_quantity

    def exposure(self) -> dict[tuple[str, Optional[str]], float]:
        with self._lock:
            return {key: value for key, value in self._exposure.items() if value}

    def _static_denial(self, order: OrderView, quote: Optional[float]) -> Optional[Denial]:
        limits = self.limits
        if limits.allowed_symbols is not None and order.symbol not in limits.allowed_symbols:
            return Denial("symbol_not_allowed", f"symbol {order.symbol!r} is not in allowed-symbols")
        sized = limits.max_notional is not None or limits.max_position is not None
        if sized and (order.quantity is None or order.signed_quantity is None or order.symbol is None):
            return Denial(
                "quantity_unknown", "the order's symbol, side or quantity cannot be read, so limits cannot be checked"
            )
        if limits.max_notional is not None:
            if quote is None:
                return Denial(
                    "notional_unknown", f"the price source has no price for {order.symbol} to check max-notional against"
                )
            notional = order.quantity * max(quote, order.price or 0.0)
            if notional > limits.max_notional:
                return Denial(
                    "max_notional",
                    f"notional {notional:g} is above max-notional {limits.max_notional:g}",
                )
        return None


def _positive(table: Mapping, key: str, where: str, integer: bool = False) -> Optional[float]:
    value = table.get(key)
    if value is None:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not value > 0:
        kind = "a positive integer" if integer else "a positive number"
        raise ConfigError(f"{where}: {key} must be {kind}, not {value!r}")
    return value
