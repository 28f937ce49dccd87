"""Replays yesterday's orders: the order method is reached by name and by monkeypatching."""

import functools
import operator


def replay(connector, orders: list[dict]) -> list:
    send = getattr(connector, "place_order")
    resend = functools.partial(connector.place_order, side="BUY")
    call = operator.methodcaller("place_order", "EUR_USD", "BUY", 1)
    results = [send(**order) for order in orders]
    results.append(resend("EUR_USD", qty=1))
    results.append(call(connector))
    return results


def silence(connector) -> None:
    connector.place_order = lambda *args, **kwargs: {"success": True, "error": None, "data": {}}


def audited(connector, order: dict):
    # This one is reviewed and kept; the reason is on the line.
    return connector.place_order(**order)  # noqa: TG101 -- replay tool, runs against the paper connector only
