"""tradeguard's runtime: canonical results and the order gateway (standard library only)."""

__version__ = "0.1.0"
