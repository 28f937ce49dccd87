"""tradeguard's runtime: canonical results and the order gateway (standard library only)."""

__version__ = "0.1.0"

from tradeguard.gateway import OrderGateway, route
from tradeguard.limits import Limits
from tradeguard.results import CanonicalResult, fail, is_canonical, normalize, ok

__all__ = ["CanonicalResult", "Limits", "OrderGateway", "fail", "is_canonical", "normalize", "ok", "route"]
