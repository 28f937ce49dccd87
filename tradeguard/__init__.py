"""tradeguard's runtime: canonical results and the order gateway (standard library only)."""

from tradeguard.gateway import OrderGateway, route
from tradeguard.limits import Limits
from tradeguard.results import CanonicalResult, fail, is_canonical, normalize, ok

__version__ = "0.1.0"

__all__ = ["CanonicalResult", "Limits", "OrderGateway", "fail", "is_canonical", "normalize", "ok", "route"]
