from __future__ import annotations

from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Valid
from lint_rules.rules._orders import describe
from lint_rules.rules.results.fixes import add_missing, failure_result, quote_of
from lint_rules.rules.results.returns import (
    ARTICLES,
    ConnectorResultRule,
    builds_canonical,
    is_result,
    literal_kind,
    result_items,
)

_HELPERS = '''
from tradeguard import fail, normalize, ok


def from_reply(reply):
    if reply is None:
        return fail("no reply")
    result = normalize(reply)
    return result


def checked(reply):
    return from_reply(reply) if reply else fail("empty reply")
'''


class NonCanonicalReturn(ConnectorResultRule):
    """Connector method returns something other than a canonical result.

    ## What it does
    Checks every return of the public methods of connector classes: each must give
    `{"success": bool, "error": str | None, "data": {...}}`. Reported: `None` (also a bare `return`,
    and a method that can end without a `return`), a tuple, bool, string, number, list or set, a
    dict without `success` / `error` / `data`, and a raw value such as `resp.json()` or a broker
    SDK reply.

    A connector is a class deriving (directly or through other classes, in any file of the
    project) from a `connector-bases` class, a class named `*Connector` (not an enum or a test
    case), or a class in a `connector-paths` file that defines an order method; auth helpers,
    order-book data sources and other helpers living in connector paths are not connectors.
    Checked are its interface methods: for a class deriving from a base, its order methods and
    the public methods it overrides from the project classes it derives from; for any other
    connector, every public method (not `_private` or dunder, properties, static or class
    methods); or, when `connector-methods` is set, the methods it names and the order methods.

    A return is followed to what builds it: both branches of `x if c else y` (and of `and` /
    `or`), `await`, `:=`, and local variables through every assignment in the method (a variable
    with one binding that cannot be followed, such as a loop variable, is not judged at all).
    What a variable holds is reported at the `return` that returns it. Returns inside nested
    functions and lambdas belong to those. A comparison (`return reply.status == 204`) is a bool. Calls count as canonical when they are:
    - the runtime's `tradeguard.ok`, `fail`, `normalize` (and `route`);
    - the project's own helpers whose every return is built from canonical results, recognised
      from their definitions in the same module or other modules (through imports, relative
      ones too, any depth of helpers calling helpers) and methods of the class and its base
      classes called as `self.helper(...)` / `super().helper(...)`;
    - another interface method of the connector (it is checked itself), a connector's method
      (`self.connectors[venue].place_order(...)`), or a method of the gateway.

    Not reported, because their value cannot be read from the code: parameters, attributes,
    subscripts, and variables built piecewise (`result["data"] = ...`). A method that only
    raises is fine (raising is how a connector may signal a programming error); so are stubs
    (a body of only a docstring, `pass` or `...`), `@abstractmethod`s, generators, and methods
    declared `-> None` (an event-driven interface that reports outcomes through events).

    ## Why is this bad?
    The gateway, the audit log and every strategy read results in one shape. A connector that
    returns `None` on a rejected order, a tuple `(order_id, ts)`, or the broker's JSON makes each
    caller guess, and a guess that is wrong for one venue surfaces as a `KeyError` or a silently
    ignored rejection while real orders are in flight.

    ## Example
    ```python
    class OandaConnector(BaseConnector):
        def place_order(self, symbol, side, qty):
            resp = self.session.post(self.url, json=body(symbol, side, qty))
            if resp.status_code != 201:
                return None
            return resp.json()
    ```

    ## Use instead
    ```python
    from tradeguard import fail, normalize

    class OandaConnector(BaseConnector):
        def place_order(self, symbol, side, qty):
            resp = self.session.post(self.url, json=body(symbol, side, qty))
            if resp.status_code != 201:
                return fail(f"HTTP {resp.status_code}")
            return normalize(resp.json())
    ```

    ## Options
    - `connector-paths`, `connector-bases`: which classes are connectors.
    - `connector-methods`: the interface, where the bases do not declare it.
    - `gateway-paths`: functions defined there return connector results.

    ## Fix safety
    - A `return None` or bare `return` becomes `return {"success": False, "error": "<method>
      returned no result", "data": {}}`. Unsafe: callers that tested for `None` now see a failure
      result. Not offered when the method is declared to return an Optional or an object other
      than a mapping or result (its callers test `is None`).
    - A dict literal with `success: True` that lacks `error` (or any result that lacks `data`)
      gets `"error": None` / `"data": {}` appended. Safe: the keys were missing, so nothing read
      them.
    The replacement is the reported node: the `return` statement, or the `None` or dict written in
    it; a value returned through a variable is reported at the `return` and never fixed.
    """

    code = "TG201"
    name = "non-canonical-return"
    message = "connector method returns something other than a canonical result"

    def judge(self, method):
        for returned in method.returned:
            yield from self._judge(returned, method.class_name)
        if method.ends_open:
            yield self.finding(
                method.node.name,
                f"`{method.name}` can end without a `return`, so it returns None: return a canonical result on every path",
            )

    def _judge(self, returned, class_name):
        value, says = returned.value, returned.says
        if value is None:
            fix = returned.statement.with_changes(
                value=failure_result(returned.method), whitespace_after_return=cst.SimpleWhitespace(" "),
            ) if returned.none_rewritable else None
            yield self.finding(returned.statement, f"{says} None (a bare `return`) instead of a canonical result", fix)
            return
        items = result_items(value)
        if items is not None:
            yield from self._judge_items(returned, items)
            return
        if isinstance(value, cst.Dict):
            return  # spread or computed keys: what it holds cannot be read
        if isinstance(value, cst.Call) and literal_kind(value) is None:
            if not builds_canonical(self.context, class_name, value):
                yield self.finding(returned.where, (
                    f"{says} `{describe(value.func)}(...)`, not known to be a canonical result: "
                    "wrap it in `tradeguard.normalize(...)` or build one with `ok(...)` / `fail(...)`"
                ))
            return
        kind = literal_kind(value)
        if kind == "None":
            fix = failure_result(returned.method) if returned.fixable and returned.none_rewritable else None
            yield self.finding(returned.where, f"{says} None instead of a canonical result", fix)
        elif kind is not None:
            yield self.finding(returned.where, f"{says} {ARTICLES[kind]} instead of a canonical result")

    def _judge_items(self, returned, items):
        if not is_result(items):
            shown = f"a raw payload ({', '.join(f'`{key}`' for key, _, _ in items)})" if items else "an empty dict"
            yield self.finding(
                returned.where, f"{returned.says} {shown} instead of a canonical result: wrap it as `ok({{...}})`",
            )
            return
        keys = {key: (value, element) for key, value, element in items}
        missing = [key for key in ("success", "error", "data") if key not in keys]
        if missing:
            fixable = returned.fixable and isinstance(returned.value, cst.Dict)
            yield self.finding(
                returned.where, f"{returned.says} a result without {' and '.join(f'`{key}`' for key in missing)}",
                add_missing(returned.value, keys, missing, quote_of(items)) if fixable else None, fix_is_safe=True,
            )

    VALID = [
        Valid('''
            from tradeguard import fail, ok

            class OandaConnector:
                def place_order(self, order):
                    if not order:
                        return fail("empty order")
                    return ok({"id": 1})
        '''),
        Valid('''
            class OandaConnector:
                def place_order(self, order):
                    return {"success": True, "error": None, "data": {"id": order.id}}
        '''),
        Valid('''
            import tradeguard as tg

            class IbkrConnector:
                async def place_order(self, order):
                    reply = await self.ib.send(order)
                    result = tg.ok(reply) if reply.filled else tg.fail(reply.why)
                    return result
        '''),
        # a helper of the same module, and a method helper of a base class in another file
        Valid('''
            from tradeguard import normalize
            from bot.base import VenueBase

            def _result(reply):
                return normalize(reply)

            class Oanda(VenueBase):
                def quote(self, symbol):
                    return _result(self.api.get(symbol))

                def cancel(self, order_id):
                    return self._settle(self.api.cancel(order_id))
        ''', files={"bot/base.py": '''
            from tradeguard import fail, ok

            class VenueBase(BaseConnector):
                def _settle(self, reply):
                    return ok(reply) if reply else fail("no reply")
        '''}),
        # helpers in another module, calling each other, imported relatively
        Valid('''
            from .results import checked

            class CoinbaseConnector:
                def place_order(self, order):
                    return checked(self.client.create_order(**order))
        ''', path="bot/connectors/coinbase.py", files={"bot/connectors/results.py": _HELPERS}),
        # delegation to another public method, to a connector, to the gateway
        Valid('''
            class RouterConnector:
                def place_order(self, venue, order):
                    return self.connectors[venue].place_order(order)

                def buy(self, venue, symbol, qty):
                    return self.place_order(venue, {"symbol": symbol, "qty": qty, "side": "BUY"})

                def submit(self, venue, order):
                    return self.gateway.submit(venue, **order)
        '''),
        # not operations: private, dunder, property, static and class methods; nested functions
        Valid('''
            from tradeguard import normalize

            class OandaConnector:
                def __init__(self, api):
                    self.api = api

                def _raw(self, order):
                    return self.api.post(order)

                @property
                def venue(self):
                    return "oanda"

                @staticmethod
                def units(qty, side):
                    return qty if side == "BUY" else -qty

                @classmethod
                def practice(cls):
                    return cls(None)

                def place_order(self, order):
                    def parse(reply):
                        return reply.json()
                    decode = lambda reply: reply.json()
                    return normalize(parse(self._raw(order)) or decode(None))
        '''),
        # raising, stubs, abstract methods and generators
        Valid('''
            from abc import abstractmethod

            class BaseConnector:
                def place_order(self, order):
                    raise NotImplementedError

                def cancel(self, order_id):
                    """Cancel an order."""
                    ...

                @abstractmethod
                def quote(self, symbol):
                    pass

                def stream(self, symbol):
                    yield from self.feed(symbol)
        '''),
        # not a connector class
        Valid('''
            class PriceCache:
                def get(self, symbol):
                    return None

                def pair(self):
                    return (1, 2)
        '''),
        Valid('''
            class OandaConnector:
                def place_order(self, order):
                    while True:
                        reply = self.api.poll(order)
                        if reply.done:
                            return {"success": True, "error": None, "data": reply.body}
        '''),
        # helpers living in a connector path are not connectors: no order method (an auth helper,
        # an order-book data source whose listener ends with a bare `return`)
        Valid('''
            class VenueAuth:
                def headers(self, request):
                    return {"X-API-KEY": self.key, "X-TS": str(request.ts)}

            class VenueBookSource:
                async def listen(self, queue):
                    if not self.subscribed:
                        return
                    await queue.put(await self.ws.receive())
        ''', path="bot/connectors/venue/venue_auth.py", config={"connector-paths": ["bot/connectors/**"]}),
        # a subclass of a connector base: only its interface is checked (here named in
        # `connector-methods`), not every public method it overrides
        Valid('''
            from tradeguard import ok
            from bot.base import ExchangeBase

            class VenueExchange(ExchangeBase):
                def supported_order_types(self):
                    return ["LIMIT", "MARKET"]

                def buy(self, pair, amount):
                    return ok({"order_id": self.next_id(pair)})
        ''', config={"connector-bases": ["ExchangeBase"], "connector-methods": ["buy"]},
            files={"bot/base.py": "class ExchangeBase:\n    def supported_order_types(self):\n        return []\n"}),
        # a value found in a loop is not followed: an Optional lookup is not judged (nor rewritten)
        Valid('''
            class VenueConnector:
                def order_for(self, client_id):
                    found = None
                    for order in self.orders:
                        if order.client_id == client_id:
                            found = order
                    return found
        '''),
        # a venue client in a connector path, held by a connector: that connector's client
        Valid('''
            class VenueTxClient:
                async def place_order(self, order):
                    return await self.broadcast(order.signed())
        ''', path="bot/connectors/venue/venue_tx_client.py",
            config={"connector-paths": ["bot/connectors/**"], "connector-bases": ["ExchangeBase"]},
            files={"bot/connectors/venue/venue_exchange.py": (
                "from .venue_tx_client import VenueTxClient\n\n\n"
                "class VenueExchange(ExchangeBase):\n    def __init__(self):\n        self.tx = VenueTxClient()\n"
            )}),
        # declared to return nothing: an event-driven client reports the outcome through events
        Valid('''
            class VenueExecutionClient(LiveExecutionClient):
                def submit_order(self, command) -> None:
                    self.log.info(f"submit {command.order}")
                    self.create_task(self._submit_order(command))
        ''', config={"connector-bases": ["LiveExecutionClient"], "order-methods": ["submit_order"]}),
        # `*Connector` test cases and enums are not connectors
        Valid('''
            import enum
            import unittest

            class Connector(enum.Enum):
                AMM = "amm"

            class TestVenueConnector(unittest.TestCase):
                def test_name(self):
                    self.assertEqual(1, 1)
        '''),
    ]
    INVALID = [
        Invalid('''
            class OandaConnector:
                def place_order(self, order):
                    resp = self.session.post("/orders", json=order)
                    return resp.json()
        ''', line=4, message="`resp.json(...)`"),
        Invalid('''
            class OandaConnector:
                def place_order(self, order):
                    if not order:
                        return None
                    return {"success": True, "error": None, "data": {}}
        ''', line=4, message="returns None", expected_fix='''
            class OandaConnector:
                def place_order(self, order):
                    if not order:
                        return {"success": False, "error": "place_order returned no result", "data": {}}
                    return {"success": True, "error": None, "data": {}}
        '''),
        Invalid('''
            class OandaConnector:
                def cancel(self, order_id):
                    if self.api.cancel(order_id):
                        return
                    return {"success": True, "error": None, "data": {}}
        ''', line=4, message="bare `return`", expected_fix='''
            class OandaConnector:
                def cancel(self, order_id):
                    if self.api.cancel(order_id):
                        return {"success": False, "error": "cancel returned no result", "data": {}}
                    return {"success": True, "error": None, "data": {}}
        '''),
        Invalid('''
            class IbkrConnector:
                def place_order(self, order):
                    trade = self.ib.placeOrder(order.contract, order)
                    return trade.order.orderId, trade.log[0].time
        ''', line=4, message="a tuple"),
        Invalid('''
            class IbkrConnector:
                def connected(self):
                    return True

                def account(self):
                    return "DU123456"

                def buying_power(self):
                    return 25_000.0
        ''', line=3, count=3, message="a bool"),
        Invalid('''
            class CoinbaseConnector:
                def place_order(self, order):
                    reply = self.client.create_order(**order)
                    return {
                        "success": True,
                        "data": {"order_id": reply["order_id"]},  # as Coinbase names it
                    }
        ''', line=4, message="without `error`", expected_fix='''
            class CoinbaseConnector:
                def place_order(self, order):
                    reply = self.client.create_order(**order)
                    return {
                        "success": True,
                        "data": {"order_id": reply["order_id"]},  # as Coinbase names it
                        "error": None,
                    }
        '''),
        Invalid('''
            from tradeguard import ok

            class OandaConnector:
                def quote(self, symbol):
                    reply = self.api.pricing(symbol)
                    return ok(reply) if reply else None
        ''', line=6, message="returns None", expected_fix='''
            from tradeguard import ok

            class OandaConnector:
                def quote(self, symbol):
                    reply = self.api.pricing(symbol)
                    return ok(reply) if reply else {"success": False, "error": "quote returned no result", "data": {}}
        '''),
        # a variable is judged by every assignment: the SDK reply is raw
        Invalid('''
            from tradeguard import ok

            class OandaConnector:
                def place_order(self, order):
                    result = ok({})
                    if order.live:
                        result = self.api.request(order.endpoint)
                    return result
        ''', line=8, message="`result`, which holds `self.api.request(...)`"),
        Invalid('''
            class OandaConnector:
                def place_order(self, order):
                    return {"order_id": order.id, "state": "FILLED"}
        ''', line=3, message="raw payload (`order_id`, `state`)"),
        Invalid('''
            class OandaConnector:
                def cancel(self, order_id):
                    self.api.cancel(order_id)
        ''', line=2, message="can end without a `return`"),
        # connectors by path, and by a base class two files away
        Invalid('''
            class Oanda:
                def place_order(self, order):
                    return self.api.request(order)
        ''', line=3, path="bot/connectors/oanda.py", config={"connector-paths": ["bot/connectors/**"]}),
        Invalid('''
            from bot.venues import FxVenue

            class Oanda(FxVenue):
                def place_order(self, order):
                    return self.api.request(order)
        ''', line=5, files={
            "bot/base.py": "class BaseConnector:\n    pass\n",
            "bot/venues.py": "from bot.base import BaseConnector\n\nclass FxVenue(BaseConnector):\n    pass\n",
        }),
        # a helper of another module that does not build canonical results
        Invalid('''
            from bot.parsing import parse

            class OandaConnector:
                def place_order(self, order):
                    return parse(self.api.request(order))
        ''', line=5, message="`parse(...)`", files={"bot/parsing.py": "def parse(reply):\n    return reply['orderFillTransaction']\n"}),
        # a computed bool: a cancel that answers "was it accepted?"
        Invalid('''
            class VenueConnector:
                async def cancel(self, order_id):
                    reply = await self.rest.delete(f"/orders/{order_id}")
                    return reply.status == 204
        ''', line=4, message="returns a bool"),
        # a method that promises an Optional: reported, not rewritten (callers test `is None`)
        Invalid('''
            from typing import Optional

            class VenueConnector:
                def place_order(self, order) -> Optional[dict]:
                    if not order:
                        return None
                    return {"success": True, "error": None, "data": {}}
        ''', line=6, message="returns None"),
    ]
