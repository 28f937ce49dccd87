"""Closes the day's positions through the gateway, then reports the fill prices."""

from bot.execution.gateway import build_gateway


def flatten(positions: list[tuple[str, str, float]]) -> list:
    gateway = build_gateway()
    fills = []
    for venue, symbol, qty in positions:
        result = gateway.submit(venue, symbol=symbol, side="SELL", qty=qty)
        fills.append(result.get("fill_price"))
    return fills
