from __future__ import annotations

from lint_rules.rule import Invalid, Valid
from lint_rules.rules.results.returns import ARTICLES, ConnectorResultRule, literal_kind, written_results

_ALLOWED = {"success": ("bool",), "error": ("str", "None"), "data": ("dict",)}
_WANTED = {"success": "a bool", "error": "a string or None", "data": "a mapping"}


class ResultValueType(ConnectorResultRule):
    """Connector result with a literal of the wrong type.

    ## What it does
    Reports, in results returned by connector interface methods (see TG201), a literal of the wrong
    type: `success` not a bool (`"ok"`, `1`, `None`), `error` not a string or None (`0`, `False`,
    a dict), `data` not a mapping (`None`, a list, a tuple, a string). Expressions whose type
    cannot be read from the code (`reply.ok`, `str(exc)`, `reply`) are not reported.

    ## Why is this bad?
    Callers test `if result["success"]:` and read `result["data"]["order_id"]`. `"success":
    "false"` is truthy, so a rejected order reads as filled; `"data": None` turns every read of the
    payload into a `TypeError`; an `error` of `0` or `False` reads as "no error".

    ## Example
    ```python
    class OandaConnector(BaseConnector):
        def place_order(self, symbol, side, qty):
            reply = self.api.request(order_request(symbol, side, qty))
            return {"success": "true", "error": None, "data": None}
    ```

    ## Use instead
    ```python
    class OandaConnector(BaseConnector):
        def place_order(self, symbol, side, qty):
            reply = self.api.request(order_request(symbol, side, qty))
            return {"success": True, "error": None, "data": {}}
    ```

    ## Options
    - `connector-paths`, `connector-bases`, `connector-methods`: which classes are connectors and
      which of their methods are checked (see TG201).

    ## Fix safety
    No fix: which value was meant (`"false"` as False, or a broken check) needs a reader.
    """

    code = "TG203"
    name = "result-value-type"
    message = "connector result with a literal of the wrong type"

    def judge(self, method):
        for returned, items in written_results(method):
            for key, value, _ in items:
                kind = literal_kind(value) if key in _ALLOWED else None
                if kind is not None and kind not in _ALLOWED[key]:
                    yield self.finding(
                        returned.at(value), f"`{key}` of `{method.name}`'s result is {ARTICLES[kind]}, not {_WANTED[key]}",
                    )

    VALID = [
        Valid('''
            class OandaConnector:
                def place_order(self, order):
                    return {"success": False, "error": f"rejected: {order.id}", "data": {"id": order.id}}
        '''),
        Valid('''
            class OandaConnector:
                def place_order(self, order):
                    reply = self.api.send(order)
                    return {"success": reply.ok, "error": reply.reason, "data": dict(reply.body)}
        '''),
        Valid('''
            class OandaConnector:
                def _legacy(self, order):
                    return {"success": "yes", "error": 0, "data": None}
        '''),
        Valid('''
            class Report:
                def row(self):
                    return {"success": 1, "error": None, "data": []}
        '''),
    ]
    INVALID = [
        Invalid('''
            class OandaConnector:
                def place_order(self, order):
                    return {"success": "true", "error": None, "data": {}}
        ''', line=3, message="`success` of `place_order`'s result is a string, not a bool"),
        Invalid('''
            class OandaConnector:
                def place_order(self, order):
                    return {"success": True, "error": None, "data": None}
        ''', line=3, message="`data` of `place_order`'s result is None, not a mapping"),
        Invalid('''
            class OandaConnector:
                def cancel(self, order_id):
                    return {
                        "success": False,
                        "error": 404,
                        "data": [order_id],
                    }
        ''', line=5, count=2, message="`error` of `cancel`'s result is a number"),
        Invalid('''
            class IbkrConnector:
                def positions(self):
                    return dict(success=1, error=None, data={})
        ''', line=3, message="`success`"),
    ]
