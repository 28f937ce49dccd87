"""The example bot (examples/trading_bot_fixed) trading end to end through the gateway in PAPER mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tradeguard import is_canonical
from tradeguard.audit import read_events

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FLOW = """
import json
from bot.execution.gateway import build_gateway
from bot.strategies.mean_reversion import MeanReversion
from bot.strategies.momentum import Momentum

gateway = build_gateway(prices={"EUR_USD": 1.1, "AAPL": 190.0})
momentum = Momentum(gateway)
order_ids = [momentum.on_bar(1.10, 1.11), momentum.on_bar(1.11, 1.10), momentum.on_bar(1.10, 1.12)]
sold = MeanReversion(gateway).on_prices("AAPL", [100.0, 100.0, 100.0], 110.0)
print(json.dumps({"mode": gateway.mode, "order_ids": order_ids, "sold": sold, "positions": gateway.positions()}))
"""


def run_flow(home: Path, **env: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join([str(EXAMPLES / "sdk_standins"), str(EXAMPLES / "trading_bot_fixed")])
    return subprocess.run(
        [sys.executable, "-c", FLOW], capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "PYTHONPATH": path, "TRADEGUARD_HOME": str(home), **env},
    )


def test_example_flow_in_paper_mode(home):
    outcome = json.loads(run_flow(home).stdout)
    assert outcome["mode"] == "PAPER"
    assert outcome["order_ids"][1] is None and all(outcome["order_ids"][i].startswith("paper-") for i in (0, 2))
    assert sorted(fill["symbol"] for fill in outcome["sold"]) == ["AAPL", "AAPL"]
    assert outcome["positions"] == {"oanda": {"EUR_USD": 2000.0}, "ibkr": {"AAPL": -1.0}, "coinbase": {"AAPL": -1.0}}

    records = [r for r in read_events(home / "audit.log") if r.kind == "order"]
    assert len(records) == 4 and {r.mode for r in records} == {"PAPER"} and {r.phase for r in records} == {"outcome"}
    assert sorted(r.venue for r in records) == ["coinbase", "ibkr", "oanda", "oanda"]
    assert all(is_canonical(r.result) and r.result["success"] for r in records)
    assert all(r.result["data"]["paper"] is True and r.arming_id is None for r in records)


def test_example_flow_asked_to_trade_live_unarmed_is_refused(home):
    done = run_flow(home, TRADEGUARD_MODE="LIVE")
    outcome = json.loads(done.stdout.splitlines()[-1])
    assert outcome["order_ids"] == [None, None, None] and outcome["sold"] == [] and outcome["positions"] == {}
    assert "order refused: LIVE refused: LIVE is not armed" in done.stdout
    records = [r for r in read_events(home / "audit.log") if r.kind == "order"]
    assert {r.error["code"] for r in records} == {"not_armed"} and len(records) == 4
