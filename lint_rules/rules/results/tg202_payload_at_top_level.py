from __future__ import annotations

from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Valid
from lint_rules.rules.results.fixes import move_payload, quote_of
from lint_rules.rules.results.helpers import CANONICAL_KEYS
from lint_rules.rules.results.returns import ConnectorResultRule, written_results


class PayloadAtTopLevel(ConnectorResultRule):
    """Broker payload at the top level of a connector result.

    ## What it does
    Reports a result returned by a connector interface method (see TG201 for which classes and
    methods are checked, and how returns are followed) that holds keys beside `success`, `error`
    and `data`: `{"success": True, "error": None, "data": {}, "order_id": ...}`. A mapping is a
    result when it holds `success` or `error`; one without them (a raw payload, also a message
    such as `{"op": "subscribe", "data": [...]}`) is reported by TG201 instead, and never fixed.

    ## Why is this bad?
    Callers read payload under `data`. A connector that puts `order_id` next to `success` works
    for the caller written against it, and breaks the gateway, the audit log and every generic
    caller, which find `data` empty. Payload keys may also collide with the result's own.

    ## Example
    ```python
    class CoinbaseConnector(BaseConnector):
        def place_order(self, symbol, side, qty):
            reply = self.client.market_order_buy(client_order_id=new_id(), product_id=symbol, base_size=qty)
            return {"success": True, "error": None, "order_id": reply["success_response"]["order_id"]}
    ```

    ## Use instead
    ```python
    class CoinbaseConnector(BaseConnector):
        def place_order(self, symbol, side, qty):
            reply = self.client.market_order_buy(client_order_id=new_id(), product_id=symbol, base_size=qty)
            return {"success": True, "error": None, "data": {"order_id": reply["success_response"]["order_id"]}}
    ```

    ## Options
    - `connector-paths`, `connector-bases`, `connector-methods`: which classes are connectors and
      which of their methods are checked (see TG201).

    ## Fix safety
    The fix moves the payload keys under `data`: into the `data` dict literal if there is one,
    into a new `"data": {...}` if there is none (no fix when `data` is some other expression). It
    is unsafe: callers reading the keys at the top level (TG205) must move with them. The
    replacement is the reported dict, when it is written in the `return`.
    """

    code = "TG202"
    name = "payload-at-top-level"
    message = "broker payload at the top level of a connector result"

    def judge(self, method):
        for returned, items in written_results(method):
            extra = [key for key, _, _ in items if key not in CANONICAL_KEYS]
            if extra:
                keys = {key: (value, element) for key, value, element in items}
                fixable = returned.fixable and isinstance(returned.value, cst.Dict)
                yield self.finding(
                    returned.where,
                    f"{returned.says} broker payload at the top level of its result "
                    f"({', '.join(f'`{key}`' for key in extra)}): move it under `data`",
                    move_payload(returned.value, keys, extra, quote_of(items)) if fixable else None,
                )

    VALID = [
        Valid('''
            class CoinbaseConnector:
                def place_order(self, order):
                    return {"success": True, "error": None, "data": {"order_id": order.id}}
        '''),
        Valid('''
            class CoinbaseConnector:
                def _reply(self, order):
                    return {"success": True, "order_id": order.id}

                @property
                def status(self):
                    return {"success": True, "error": None, "data": {}, "venue": "coinbase"}
        '''),
        Valid('''
            class Ledger:
                def entry(self, order):
                    return {"success": True, "error": None, "data": {}, "order_id": order.id}
        '''),
        Valid('''
            class CoinbaseConnector:
                def place_order(self, order):
                    return {"order_id": order.id}
        '''),
        # a message with a `data` key is not a result (a websocket subscription): left alone
        Valid('''
            class VenueConnector:
                def place_order(self, order):
                    return {"op": "order", "data": {"id": order.id}}
        '''),
    ]
    INVALID = [
        Invalid('''
            class CoinbaseConnector:
                def place_order(self, order):
                    reply = self.client.create_order(**order)
                    return {"success": True, "error": None, "data": {}, "order_id": reply["order_id"]}
        ''', line=4, message="(`order_id`)", expected_fix='''
            class CoinbaseConnector:
                def place_order(self, order):
                    reply = self.client.create_order(**order)
                    return {"success": True, "error": None, "data": {"order_id": reply["order_id"]}}
        '''),
        # through a variable: reported at the return, not fixed (a fix never rewrites an assignment)
        Invalid('''
            class CoinbaseConnector:
                def place_order(self, order):
                    reply = self.client.create_order(**order)
                    result = {
                        "success": reply["success"],
                        "error": None,
                        "order_id": reply["order_id"],
                        "fill": reply.get("fill"),  # may be absent
                    }
                    return result
        ''', line=10, message="`result`, which holds broker payload at the top level of its result (`order_id`, `fill`)"),
        Invalid('''
            class CoinbaseConnector:
                def place_order(self, order):
                    return {'success': True, 'error': None, 'data': {'venue': 'coinbase'}, 'id': order.id}
        ''', line=3, expected_fix='''
            class CoinbaseConnector:
                def place_order(self, order):
                    return {'success': True, 'error': None, 'data': {'venue': 'coinbase', 'id': order.id}}
        '''),
        Invalid('''
            from bot.venues import Exchange

            class Kraken(Exchange):
                def balance(self):
                    return {"success": True, "error": None, "data": self.api.balance(), "usd": 1}
        ''', line=5, files={"bot/venues.py": "class Exchange(BaseConnector):\n    def balance(self):\n        raise NotImplementedError\n"}),
    ]
