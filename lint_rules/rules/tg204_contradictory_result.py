from __future__ import annotations

from lint_rules.rule import Invalid, Valid
from lint_rules.rules._results import ConnectorResultRule


class ContradictoryResult(ConnectorResultRule):
    """Connector result that contradicts itself.

    ## What it does
    Reports, in results returned by public connector methods (see TG201), `success` True with an
    `error` message, and `success` False with `error` None. Only literals are judged: `"success":
    True` with `"error": "..."` (or an f-string), `"success": False` with `"error": None`.

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
    - `connector-paths`, `connector-bases`: which classes are connectors.

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
        ''', line=4, message="False but its `error` is None", expected_fix='''
            class IbkrConnector:
                def cancel(self, order_id):
                    done = self.ib.cancelOrder(order_id)
                    result = {'success': False, 'error': 'unknown error', 'data': {}} if not done else {'success': True, 'error': None, 'data': {}}
                    return result
        '''),
        Invalid('''
            from bot.base import Venue

            class Ibkr(Venue):
                def quote(self, symbol):
                    return {"success": True, "error": f"stale quote for {symbol}", "data": {}}
        ''', line=5, files={"bot/base.py": "class Venue:\n    pass\n"}, config={"connector-bases": ["Venue"]},
            expected_fix='''
            from bot.base import Venue

            class Ibkr(Venue):
                def quote(self, symbol):
                    return {"success": False, "error": f"stale quote for {symbol}", "data": {}}
        '''),
    ]
