"""What every connector offers: one order method returning a canonical result."""

from tradeguard import CanonicalResult


class BaseConnector:
    venue = "base"

    def place_order(self, symbol: str, side: str, qty: float, price: float | None = None) -> CanonicalResult:
        raise NotImplementedError
