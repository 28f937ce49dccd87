"""What the gateway needs to know about an order, read from the arguments of a connector's order method.

Connectors name their arguments differently (``instrument``/``units`` for OANDA, ``product_id``/
``base_size`` for Coinbase, a ``contract`` and an ``order`` object for IBKR), so the reader looks for
the usual names at the top level and one level down (a nested ``order_configuration``, an ``order``
or ``contract`` object). Whatever it cannot find stays ``None``; limits and the paper broker decide
what a missing field means for them.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional

SYMBOL_NAMES = ("symbol", "instrument", "product_id", "ticker", "pair", "localSymbol")
QUANTITY_NAMES = ("quantity", "qty", "units", "size", "base_size", "amount", "totalQuantity", "volume")
PRICE_NAMES = ("price", "limit_price", "limitPrice", "lmtPrice")
SIDE_NAMES = ("side", "action", "direction")
UNSET_ABOVE = 1e300
PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
BUY_WORDS = frozenset({"buy", "bot", "long", "b"})
SELL_WORDS = frozenset({"sell", "sld", "short", "s", "ssell"})


@dataclass(frozen=True, slots=True)
class OrderView:
    symbol: Optional[str]
    side: Optional[str]  # "buy" or "sell"
    quantity: Optional[float]  # unsigned
    price: Optional[float]  # limit price; None for a market order
    problem: Optional[str] = None  # a field that is there but unusable: a non-positive or non-finite number

    @property
    def signed_quantity(self) -> Optional[float]:
        if self.quantity is None or self.side is None:
            return None
        return self.quantity if self.side == "buy" else -self.quantity

    def denial(self) -> Optional["Denial"]:
        return Denial("bad_order", self.problem) if self.problem is not None else None


@dataclass(frozen=True, slots=True)
class Denial:
    code: str
    message: str


def method_signature(method: Callable[..., Any]) -> Optional[inspect.Signature]:
    """The order method's signature, or None for callables that have none (some C extensions)."""
    try:
        return inspect.signature(method)
    except (TypeError, ValueError):
        return None


class Binder:
    """Binds a call's arguments to the order method's parameter names, keyword-only calls (what
    ``submit`` makes) without ``inspect`` on the hot path."""

    __slots__ = ("signature", "names", "required", "var_keyword")

    def __init__(self, signature: Optional[inspect.Signature]) -> None:
        self.signature = signature
        self.names: Optional[frozenset] = None
        self.required: frozenset = frozenset()
        self.var_keyword = False
        if signature is None:
            return
        parameters = signature.parameters.values()
        if any(p.kind is p.POSITIONAL_ONLY and p.default is p.empty for p in parameters):
            return
        named = [p for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        self.names = frozenset(p.name for p in named)
        self.required = frozenset(p.name for p in named if p.default is p.empty)
        self.var_keyword = any(p.kind is p.VAR_KEYWORD for p in parameters)

    def bind(self, args: tuple, kwargs: dict) -> dict:
        """The arguments by parameter name; raises TypeError when they do not fit."""
        names = self.names
        if not args and names is not None and self.required <= kwargs.keys():
            if self.var_keyword or kwargs.keys() <= names:
                return dict(kwargs)
        return bind_arguments(self.signature, args, kwargs)


def bind_arguments(signature: Optional[inspect.Signature], args: tuple, kwargs: dict) -> dict:
    """The order method's arguments by parameter name; raises TypeError when they do not fit."""
    if signature is None:
        return {**{f"arg{index}": value for index, value in enumerate(args)}, **kwargs}
    bound = signature.bind(*args, **kwargs)
    fields: dict = {}
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            fields.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            fields[name] = list(value)
        else:
            fields[name] = value
    return fields


def read_order(fields: Mapping) -> OrderView:
    """Symbol, side, quantity and price of an order, as far as its fields tell; never raises."""
    try:
        return _read_order(fields)
    except Exception as exc:  # a property or comparison that raises: the order cannot be read
        return OrderView(None, None, None, None, f"the order's fields cannot be read ({type(exc).__name__})")


def _read_order(fields: Mapping) -> OrderView:
    nested = _nested(fields)
    places = [fields, *nested] if nested else [fields]
    symbol = _find(places, SYMBOL_NAMES)
    side_word = _find(places, SIDE_NAMES)
    raw_quantity, quantity_problem = _number(_find(places, QUANTITY_NAMES), "quantity")
    price, price_problem = _number(_find(places, PRICE_NAMES), "price", unset_above=UNSET_ABOVE)
    side = _side(side_word)
    if side is None and raw_quantity is not None and raw_quantity != 0 and side_word is None:
        side = "buy" if raw_quantity > 0 else "sell"  # OANDA: the sign of units is the side
    quantity = abs(raw_quantity) if raw_quantity is not None else None
    problem = quantity_problem or price_problem
    if problem is None and quantity == 0:
        problem = "the order's quantity is zero"
    if problem is None and price is not None and price <= 0:
        problem = f"the order's price {price:g} is not positive"
    return OrderView(
        symbol=symbol if type(symbol) is str else (str(symbol) if symbol is not None else None),
        side=side,
        quantity=quantity,
        price=price,
        problem=problem,
    )


def _nested(fields: Mapping) -> list:
    """Mappings and objects one level down: an IBKR contract/order, a Coinbase order configuration."""
    found = []
    for value in fields.values():
        kind = type(value)
        if kind in PLAIN_TYPES:
            continue
        if kind is dict or isinstance(value, Mapping):
            found.append(value)
            found.extend(inner for inner in value.values() if isinstance(inner, Mapping))
        elif not isinstance(value, (str, bytes, int, float, list, tuple)):
            found.append(value)
    return found


def _find(places: list, names: tuple[str, ...]) -> Any:
    for place in places:
        if type(place) is dict or isinstance(place, Mapping):
            get = place.get
        else:
            def get(name: str, place: object = place) -> Any:
                return getattr(place, name, None)
        for name in names:
            value = get(name)
            if value is not None and not (type(value) is str and not value):
                return value
    return None


def _number(value: object, what: str, unset_above: float = float("inf")) -> tuple[Optional[float], Optional[str]]:
    """The value as a float, or why it is there but not usable (None, None when it is absent)."""
    if value is None or isinstance(value, bool):
        return None, None
    if type(value) is int and value.bit_length() > 1000:
        return None, f"the order's {what} is not a finite number"
    try:
        number = float(value)  # brokers send sizes and prices as strings ("0.01", "-100")
    except OverflowError:
        return None, f"the order's {what} is not a finite number"
    except (TypeError, ValueError):
        return None, None if type(value) is not str else f"the order's {what} {value[:40]!r} is not a number"
    if not math.isfinite(number):
        return None, f"the order's {what} is not a finite number"
    # IBKR marks unset prices with the largest double (ib_async's UNSET_DOUBLE).
    return (number, None) if abs(number) < unset_above else (None, None)


def _side(value: object) -> Optional[str]:
    word = value if type(value) is str else getattr(value, "value", value)  # enums of SDKs
    if not isinstance(word, str):
        return None
    word = word.strip().lower()
    if word in BUY_WORDS:
        return "buy"
    if word in SELL_WORDS:
        return "sell"
    return None
