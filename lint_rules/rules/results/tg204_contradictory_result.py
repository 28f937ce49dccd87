from __future__ import annotations

from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Valid
from lint_rules.rules._orders import dotted
from lint_rules.rules.results.fixes import FALLBACK_ERROR, quote_of
from lint_rules.rules.results.returns import ConnectorResultRule, literal_kind, written_results

# Calls whose value is a message: `str(exc)`, `repr(exc)`, `"...".format(...)`, `", ".join(...)`.
_MESSAGE_CALLS = frozenset(("str", "repr", "format"))
_MESSAGE_METHODS = frozenset(("format", "join"))


class ContradictoryResult(ConnectorResultRule):
    """Connector result that contradicts itself.

    ## What it does
    Reports, in results returned by connector interface methods (see TG201), `success` True with an
    `error` message, and `success` False with `error` None: `"success": True` with an error that
    is surely a message (`"..."`, an f-string, `str(exc)`, `repr(exc)`, `"...".format(...)`, a
    concatenation with a string, the exception an `except` caught), and `"success": False` with
    `"error": None`.

    ## Why is this bad?
    Callers branch on one of the two and log or show the other. A success carrying an error hides
    a rejected order behind a green status; a failure without a reason gives the operator nothing
    to act on. `tradeguard.ok` and `tradeguard.fail` never produce either.

    ## Example
    ```python
    class IbkrConnector(BaseConnector):
        def place_order(self, symbol, side, qty):
            trade = self.ib.placeOrder(Stock(symbol), MarketOrder(side, qty))
            if trade.orderStatus.status == "Cancelled":
                return {"success": True, "error": "cancelled by TWS", "data": {}}
            return {"success": False, "error": None, "data": {"order_id": trade.order.orderId}}
    ```

    ## Use instead
    ```python
    class IbkrConnector(BaseConnector):
        def place_order(self, symbol, side, qty):
            trade = self.ib.placeOrder(Stock(symbol), MarketOrder(side, qty))
            if trade.orderStatus.status == "Cancelled":
                return fail("cancelled by TWS")
            return ok({"order_id": trade.order.orderId})
    ```

    ## Options
    - `connector-paths`, `connector-bases`, `connector-methods`: which classes are connectors and
      which of their methods are checked (see TG201).

    ## Fix safety
    The fix resolves the contradiction toward failure: `success` True with an error becomes
    `success` False (the reported `True` is replaced); `error` None beside `success` False becomes
    `"unknown error"` (the reported `None` is replaced). It is unsafe: a result that was meant as
    a success now reads as a failure, and the invented message should be replaced by the real
    reason.
    """

    code = "TG204"
    name = "contradictory-result"
    message = "connector result that contradicts itself"

    def judge(self, method):
        for returned, items in written_results(method):
            keys = {key: value for key, value, _ in items}
            success, error = keys.get("success"), keys.get("error")
            if not isinstance(success, cst.Name) or error is None:
                continue
            if success.value == "True" and _is_message(error, method.exceptions):
                yield self.finding(
                    returned.at(success), f"`{method.name}`'s result says `success` True but carries an `error`",
                    success.with_changes(value="False") if returned.fixable else None,
                )
            elif success.value == "False" and literal_kind(error) == "None":
                quote = quote_of(items)
                yield self.finding(
                    returned.at(error), f"`{method.name}`'s result says `success` False but its `error` is None: give the reason",
                    cst.SimpleString(f"{quote}{FALLBACK_ERROR}{quote}") if returned.fixable else None,
                )

    VALID = [
        Valid('''
            class IbkrConnector:
                def place_order(self, order):
                    if order.rejected:
                        return {"success": False, "error": "rejected", "data": {}}
                    return {"success": True, "error": None, "data": {"id": order.id}}
        '''),
        Valid('''
            class IbkrConnector:
                def place_order(self, order):
                    reply = self.ib.send(order)
                    return {"success": reply.ok, "error": None, "data": {}}
        '''),
        Valid('''
            class IbkrConnector:
                def _draft(self):
                    return {"success": True, "error": "draft", "data": {}}

                @staticmethod
                def empty():
                    return {"success": False, "error": None, "data": {}}
        '''),
        Valid('''
            class Ticket:
                def state(self):
                    return {"success": True, "error": "n/a", "data": {}}
        '''),
    ]
    INVALID = [
        Invalid('''
            class IbkrConnector:
                def place_order(self, order):
                    trade = self.ib.placeOrder(order.contract, order)
                    if trade.orderStatus.status == "Cancelled":
                        return {"success": True, "error": "cancelled by TWS", "data": {}}
                    return {"success": True, "error": None, "data": {}}
        ''', line=5, message="says `success` True but carries an `error`", expected_fix='''
            class IbkrConnector:
                def place_order(self, order):
                    trade = self.ib.placeOrder(order.contract, order)
                    if trade.orderStatus.status == "Cancelled":
                        return {"success": False, "error": "cancelled by TWS", "data": {}}
                    return {"success": True, "error": None, "data": {}}
        '''),
        Invalid('''
            class IbkrConnector:
                def cancel(self, order_id):
                    done = self.ib.cancelOrder(order_id)
                    result = {'success': False, 'error': None, 'data': {}} if not done else {'success': True, 'error': None, 'data': {}}
                    return result
        ''', line=5, message="False but its `error` is None"),
        Invalid('''
            from bot.base import Venue

            class Ibkr(Venue):
                def quote(self, symbol):
                    return {"success": True, "error": f"stale quote for {symbol}", "data": {}}
        ''', line=5, files={"bot/base.py": "class Venue:\n    def quote(self, symbol):\n        raise NotImplementedError\n"}, config={"connector-bases": ["Venue"]},
            expected_fix='''
            from bot.base import Venue

            class Ibkr(Venue):
                def quote(self, symbol):
                    return {"success": False, "error": f"stale quote for {symbol}", "data": {}}
        '''),
        # a message computed from the exception beside `success` True
        Invalid('''
            class IbkrConnector:
                def place_order(self, order):
                    try:
                        return {"success": True, "error": None, "data": self.ib.send(order)}
                    except ConnectionError as exc:
                        return {"success": True, "error": str(exc), "data": {}}
        ''', line=6, message="says `success` True but carries an `error`", expected_fix='''
            class IbkrConnector:
                def place_order(self, order):
                    try:
                        return {"success": True, "error": None, "data": self.ib.send(order)}
                    except ConnectionError as exc:
                        return {"success": False, "error": str(exc), "data": {}}
        '''),
    ]


def _is_message(node, exceptions: frozenset[str]) -> bool:
    """Whether ``node`` is surely an error message, not None: a string literal or f-string,
    ``str(exc)`` and its kin, a string concatenation, or the exception an ``except`` caught."""
    if literal_kind(node) == "str":
        return True
    if isinstance(node, cst.Name):
        return node.value in exceptions
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute):
            return func.attr.value in _MESSAGE_METHODS and literal_kind(func.value) == "str"
        return dotted(func) in _MESSAGE_CALLS
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        return literal_kind(node.left) == "str" or literal_kind(node.right) == "str"
    return False
