"""Pre-trade limits through the gateway, configured in code and in pyproject.toml."""

from __future__ import annotations

import time

import pytest

from tradeguard import Limits, OrderGateway, is_canonical, route
from tradeguard.cli import live
from tradeguard.config import ConfigError
from tradeguard.limits import DENIAL_CODES

from .helpers import RecordingConnector, run_cli


def gateway(**limits) -> OrderGateway:
    return OrderGateway({"fx": RecordingConnector()}, limits=Limits(**limits), price_source={"EUR_USD": 2.0})


def denial(result):
    assert is_canonical(result)
    return None if result["success"] else result["data"]["denial"]


def test_max_notional_uses_the_quote_or_the_limit_price_when_higher():
    g = gateway(max_notional=1000)
    assert denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity=400, price=2.5)) is None
    assert denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity=401, price=2.5)) == "max_notional"
    assert denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity=501)) == "max_notional"  # at the quote 2.0
    assert denial(g.submit("fx", symbol="GBP_USD", side="buy", quantity=1, price=1)) == "notional_unknown"
    assert denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity="lots", price=1)) == "bad_order"


@pytest.mark.parametrize("price", [0, -1, 1e-300, "0", float("nan"), float("inf"), 10**400])
def test_the_orders_own_price_cannot_shrink_its_notional(price):
    """Attack: price 0, -1 or 1e-300 with qty=10**9 passed max-notional, priced by the order itself."""
    result = gateway(max_notional=1000).submit("fx", symbol="EUR_USD", side="buy", quantity=10**9, price=price)
    assert denial(result) in ("bad_order", "max_notional")
    assert result["success"] is False


@pytest.mark.parametrize("quantity", [0, -0.0, float("nan"), float("inf"), 10**400, "1e999"])
def test_a_non_positive_or_non_finite_quantity_is_a_denial_even_without_limits(quantity):
    result = OrderGateway({"fx": RecordingConnector()}, limits=Limits()).submit(
        "fx", symbol="EUR_USD", side="buy", quantity=quantity, price=1.0
    )
    assert denial(result) == "bad_order" and "quantity" in result["error"]


def test_max_orders_per_sliding_window():
    g = gateway(max_orders=3, window_seconds=0.3)
    results = [denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity=1)) for _ in range(4)]
    assert results == [None, None, None, "max_orders"]
    time.sleep(0.35)
    assert denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity=1)) is None


def test_allowed_symbols():
    g = gateway(allowed_symbols=["EUR_USD"])
    assert denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity=1)) is None
    result = g.submit("fx", symbol="USD_TRY", side="buy", quantity=1)
    assert result["error"] == "limit: symbol 'USD_TRY' is not in allowed-symbols"
    assert result["data"] == {"denial": "symbol_not_allowed", "mode": "PAPER"}


def test_max_position_counts_accepted_orders_and_releases_failed_ones():
    g = gateway(max_position=100)
    assert denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity=80)) is None
    assert denial(g.submit("fx", symbol="EUR_USD", side="buy", quantity=30)) == "max_position"
    assert denial(g.submit("fx", symbol="EUR_USD", side="sell", quantity=150)) is None  # to -70
    assert denial(g.submit("fx", symbol="EUR_USD", side="sell", quantity=31)) == "max_position"
    assert g.limits.exposure() == {("fx", "EUR_USD"): -70.0}


def test_denials_never_reach_the_broker_and_codes_are_documented(home):
    connector = RecordingConnector()
    g = OrderGateway({"fx": connector}, mode="LIVE", limits=Limits(allowed_symbols=["X"]))
    live.main(["arm", "--approver", "a", "--approver", "b", "--ttl", "1h", "--reason", "t", "--no-readiness"])
    assert denial(g.submit("fx", symbol="Y", side="buy", quantity=1, price=1)) == "symbol_not_allowed"
    assert connector.calls == []
    assert "symbol_not_allowed" in DENIAL_CODES


def test_limits_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.tradeguard.limits]\nmax-notional = 100\nmax-orders = 2\nwindow-seconds = 30\n"
        'allowed-symbols = ["EUR_USD"]\nmax-position = 50\n'
    )
    assert Limits.from_pyproject() == Limits(
        max_notional=100, max_orders=2, window_seconds=30, allowed_symbols=frozenset({"EUR_USD"}), max_position=50
    )
    # No price source: the order's own price is no ground to admit it under max-notional.
    assert route(RecordingConnector(), "EUR_USD", "buy", 60, price=1)["data"]["denial"] == "notional_unknown"


@pytest.mark.parametrize(
    "table, message",
    [
        ("max-notionl = 5", "unknown key 'max-notionl'"),
        ("max-orders = 2.5", "max-orders must be a positive integer, not 2.5"),
        ("max-notional = -1", "max-notional must be a positive number, not -1"),
        ('allowed-symbols = "EUR_USD"', "allowed-symbols must be a list of strings"),
    ],
)
def test_bad_limits_are_errors_naming_the_key(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.tradeguard.limits]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        OrderGateway({})
    assert message in str(caught.value) and "pyproject.toml [tool.tradeguard.limits]" in str(caught.value)
    assert route(RecordingConnector(), "A", "buy", 1)["data"] == {"denial": "config"}


def test_bad_live_config_is_a_one_line_cli_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard.live]\nrequired-approvers = 0\n")
    done = run_cli("live", "arm", "--approver", "a", "--approver", "b", "--ttl", "1h", "--reason", "r",
                   "--no-readiness")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "required-approvers must be an integer of at least 1" in done.stderr
