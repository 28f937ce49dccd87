"""The example bot's own tests: what its strategies and connectors must do, whichever way their
orders travel. `tradeguard check --fix --unsafe-fixes` must leave them passing.

Run from this folder: PYTHONPATH=.:../sdk_standins python -m pytest tests
"""

from bot.connectors.ibkr import IbkrConnector
from bot.connectors.oanda import OandaConnector
from bot.strategies.mean_reversion import MeanReversion
from bot.strategies.momentum import Momentum
from bot.strategies.scalper import Scalper


class RecordingBroker:
    """Counts orders; a test fails if a strategy orders when it must not."""

    def __init__(self):
        self.orders = []

    def place_order(self, symbol, side, qty, price=None):
        self.orders.append((symbol, side, qty, price))
        return {"success": True, "error": None, "data": {"order_id": str(len(self.orders))}}


def test_momentum_stays_flat_when_the_price_does_not_rise():
    broker = RecordingBroker()
    assert Momentum(broker).on_bar(1.10, 1.09) is None
    assert Momentum(broker).on_bar(1.10, 1.10) is None
    assert broker.orders == []


def test_mean_reversion_sells_nothing_below_the_band():
    broker = RecordingBroker()
    assert MeanReversion({"oanda": broker}).on_prices("EUR_USD", [1.0, 1.1, 1.2], 1.05) == []
    assert broker.orders == []


def test_oanda_connector_sends_a_market_order_for_the_signed_units():
    reply = OandaConnector("101-001-0000000-001", "practice-token").place_order("EUR_USD", "SELL", 100)
    assert reply["orderCreateTransaction"]["units"] == "-100"


def test_margin_preview_sends_no_order():
    ibkr = IbkrConnector()
    assert ibkr.preview("AAPL", "BUY", 10)["success"] is True
    assert Scalper("practice-token", "101-001-0000000-001").dry_run("AAPL") == {"initMarginChange": "0"}
