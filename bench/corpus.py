"""A generated trading code base for benchmarks: deterministic, realistic in shape and size.

Most files are what a trading repository is mostly made of (indicators, data loading, risk maths,
reporting, tests); a minority touch orders (strategies calling the gateway or, some of them,
connectors directly) and a few are connectors over broker SDKs.

    python bench/corpus.py OUT_DIR [--files 2000]
"""

from __future__ import annotations

import argparse
import random
import textwrap
from pathlib import Path

PYPROJECT = """\
[tool.tradeguard]
gateway-paths = ["desk/execution/gateway.py"]
connector-paths = ["desk/connectors/**"]
connector-bases = ["BaseConnector"]
"""

INDICATOR = '''\
"""{title} indicators over OHLC bars."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from statistics import mean, pstdev


@dataclass(frozen=True)
class Bar:
    open: float
    high: float
    low: float
    close: float
    volume: float


def {name}_sma(values: list[float], window: int = {window}) -> list[float]:
    """Simple moving average; the first ``window - 1`` values are NaN."""
    out: list[float] = []
    acc = deque(maxlen=window)
    for value in values:
        acc.append(value)
        out.append(mean(acc) if len(acc) == window else math.nan)
    return out


def {name}_ema(values: list[float], span: int = {window}) -> list[float]:
    alpha = 2.0 / (span + 1.0)
    out: list[float] = []
    current = None
    for value in values:
        current = value if current is None else alpha * value + (1 - alpha) * current
        out.append(current)
    return out


def {name}_bollinger(values: list[float], window: int = {window}, width: float = {width}) -> list[tuple[float, float]]:
    bands = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        centre = mean(chunk)
        spread = pstdev(chunk) if len(chunk) > 1 else 0.0
        bands.append((centre - width * spread, centre + width * spread))
    return bands


def {name}_atr(bars: list[Bar], window: int = {window}) -> float:
    ranges = []
    previous = None
    for bar in bars:
        true_range = bar.high - bar.low
        if previous is not None:
            true_range = max(true_range, abs(bar.high - previous.close), abs(bar.low - previous.close))
        ranges.append(true_range)
        previous = bar
    recent = ranges[-window:]
    return sum(recent) / len(recent) if recent else 0.0


class {cls}RollingZScore:
    """Z-score of the latest value against a rolling window."""

    def __init__(self, window: int = {window}) -> None:
        self.window = window
        self.values: deque[float] = deque(maxlen=window)

    def update(self, value: float) -> float | None:
        self.values.append(value)
        if len(self.values) < self.window:
            return None
        sigma = pstdev(self.values)
        return 0.0 if sigma == 0 else (value - mean(self.values)) / sigma

    def reset(self) -> None:
        self.values.clear()
'''

DATA = '''\
"""Loading and cleaning {title} market data."""

import csv
import datetime as dt
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

COLUMNS = ("time", "open", "high", "low", "close", "volume")


def load_{name}_csv(path: Path) -> list[dict]:
    rows = []
    with open(path, newline="") as stream:
        for record in csv.DictReader(stream):
            try:
                rows.append({{key: (record[key] if key == "time" else float(record[key])) for key in COLUMNS}})
            except (KeyError, ValueError) as error:
                log.warning("skipping bad row in %s: %s", path, error)
    return rows


def resample_{name}(rows: list[dict], minutes: int = {window}) -> list[dict]:
    buckets: dict[str, list[dict]] = {{}}
    for row in rows:
        stamp = dt.datetime.fromisoformat(row["time"])
        key = stamp.replace(minute=stamp.minute - stamp.minute % minutes, second=0).isoformat()
        buckets.setdefault(key, []).append(row)
    out = []
    for key in sorted(buckets):
        chunk = buckets[key]
        out.append({{
            "time": key,
            "open": chunk[0]["open"],
            "high": max(r["high"] for r in chunk),
            "low": min(r["low"] for r in chunk),
            "close": chunk[-1]["close"],
            "volume": sum(r["volume"] for r in chunk),
        }})
    return out


def save_{name}_json(rows: list[dict], path: Path) -> None:
    path.write_text(json.dumps(rows, indent=2))


class {cls}Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def path_for(self, symbol: str, day: dt.date) -> Path:
        return self.folder / f"{{symbol}}-{{day.isoformat()}}.json"

    def get(self, symbol: str, day: dt.date) -> list[dict] | None:
        path = self.path_for(symbol, day)
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def put(self, symbol: str, day: dt.date, rows: list[dict]) -> None:
        save_{name}_json(rows, self.path_for(symbol, day))
'''

RISK = '''\
"""{title} risk maths: position sizing and exposure."""

from dataclasses import dataclass, field


@dataclass
class {cls}Position:
    symbol: str
    qty: float = 0.0
    avg_price: float = 0.0
    realized: float = 0.0
    fills: list = field(default_factory=list)

    def apply_fill(self, qty: float, price: float) -> None:
        if self.qty and (self.qty > 0) != (qty > 0):
            closing = min(abs(qty), abs(self.qty))
            sign = 1 if self.qty > 0 else -1
            self.realized += closing * (price - self.avg_price) * sign
        new_qty = self.qty + qty
        if new_qty and (self.qty == 0 or (self.qty > 0) == (qty > 0)):
            self.avg_price = (self.avg_price * self.qty + price * qty) / new_qty
        self.qty = new_qty
        self.fills.append((qty, price))

    def exposure(self, mark: float) -> float:
        return abs(self.qty) * mark


def {name}_kelly(win_rate: float, payoff: float) -> float:
    if payoff <= 0:
        return 0.0
    return max(0.0, win_rate - (1 - win_rate) / payoff)


def {name}_size(equity: float, risk_fraction: float, stop_distance: float) -> float:
    if stop_distance <= 0:
        raise ValueError("stop distance must be positive")
    return equity * risk_fraction / stop_distance


def {name}_drawdown(equity_curve: list[float]) -> float:
    peak = float("-inf")
    worst = 0.0
    for value in equity_curve:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, (peak - value) / peak)
    return worst
'''

STRATEGY = '''\
"""{title} strategy: trades on {indicator} signals through the gateway."""

import logging

from desk.execution.gateway import gateway

log = logging.getLogger(__name__)


class {cls}Strategy:
    venue = "{venue}"

    def __init__(self, symbol: str, qty: float = {qty}) -> None:
        self.symbol = symbol
        self.qty = qty
        self.last_signal = 0

    def signal(self, closes: list[float]) -> int:
        if len(closes) < {window}:
            return 0
        fast = sum(closes[-{fast}:]) / {fast}
        slow = sum(closes[-{window}:]) / {window}
        return 1 if fast > slow else -1 if fast < slow else 0

    def on_bar(self, closes: list[float]):
        signal = self.signal(closes)
        if signal == self.last_signal or signal == 0:
            return None
        self.last_signal = signal
        side = "BUY" if signal > 0 else "SELL"
        result = gateway.submit(self.venue, symbol=self.symbol, side=side, qty=self.qty)
        if not result["success"]:
            log.warning("order refused: %s", result["error"])
            return None
        return result["data"]
'''

DIRECT_STRATEGY = '''\
"""{title} prototype: still calls its broker directly."""

import asyncio


class {cls}Prototype:
    def __init__(self, broker, symbol: str) -> None:
        self.broker = broker
        self.symbol = symbol

    def enter(self, qty: float):
        return self.broker.place_order(self.symbol, "BUY", qty)

    async def exit_all(self, venues):
        return await asyncio.gather(*(v.place_order(self.symbol, "SELL", 1) for v in venues))
'''

CONNECTOR = '''\
"""{title} connector over the broker SDK."""

from ib_async import IB, MarketOrder, Stock

from desk.connectors.base import BaseConnector
from tradeguard import fail, ok


class {cls}Connector(BaseConnector):
    def __init__(self, port: int = 7497) -> None:
        self.ib = IB().connect("127.0.0.1", port, clientId={qty})

    def place_order(self, symbol, side, qty, price=None):
        trade = self.ib.placeOrder(Stock(symbol), MarketOrder(side, qty))
        if trade.orderStatus.status in ("Cancelled", "Inactive"):
            return fail("order cancelled", data={{"order_id": trade.orderId}})
        return ok({{"order_id": trade.orderId}})

    def positions(self):
        return ok({{"positions": []}})
'''

TEST = '''\
"""Tests for the {title} helpers."""

import math

import pytest


def _sma(values, window):
    return [sum(values[i - window + 1 : i + 1]) / window if i >= window - 1 else math.nan for i in range(len(values))]


@pytest.mark.parametrize("window", [2, 3, {window}])
def test_{name}_sma_shape(window):
    values = [float(i) for i in range(50)]
    out = _sma(values, window)
    assert len(out) == len(values)
    assert all(math.isnan(v) for v in out[: window - 1])


def test_{name}_sma_constant():
    assert _sma([2.0] * 10, 3)[-1] == 2.0


def test_{name}_monotonic():
    values = [float(i) for i in range(20)]
    out = _sma(values, 4)[3:]
    assert out == sorted(out)
'''

KINDS = [  # (weight, folder, template)
    (30, "desk/indicators", INDICATOR),
    (22, "desk/data", DATA),
    (18, "desk/risk", RISK),
    (14, "tests", TEST),
    (11, "desk/strategies", STRATEGY),
    (3, "desk/prototypes", DIRECT_STRATEGY),
    (2, "desk/connectors", CONNECTOR),
]
WORDS = "alpha beta gamma delta sigma omega kappa theta lambda vega rho zeta eta iota tau phi chi psi".split()


def generate(out: Path, files: int = 2000, seed: int = 7) -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "pyproject.toml").write_text(PYPROJECT)
    for folder in ("desk/execution", "desk/connectors"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    (out / "desk/connectors/base.py").write_text("class BaseConnector:\n    def place_order(self, symbol, side, qty, price=None):\n        raise NotImplementedError\n")
    (out / "desk/execution/gateway.py").write_text("from tradeguard import OrderGateway\n\ngateway = OrderGateway({})\n")
    weights = [kind[0] for kind in KINDS]
    for number in range(files):
        _, folder, template = rng.choices(KINDS, weights)[0]
        word = f"{rng.choice(WORDS)}_{number}"
        text = template.format(
            title=word.replace("_", " ").title(), name=word, cls=word.title().replace("_", ""),
            window=rng.randint(5, 60), width=rng.choice([1.5, 2.0, 2.5]), fast=rng.randint(2, 4),
            qty=rng.randint(1, 500), venue=rng.choice(["oanda", "ibkr", "coinbase"]),
            indicator=rng.choice(["moving-average", "breakout", "z-score"]),
        )
        path = out / folder / f"{word}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args()
    generate(args.out, args.files)
    print(f"wrote {args.files} files to {args.out}")


if __name__ == "__main__":
    main()
