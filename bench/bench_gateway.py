"""The gateway's own overhead per submit: median and p99, PAPER mode with the audit log on.

    .venv/bin/python bench/bench_gateway.py [--submits 20000]

Each submit is timed alone (perf_counter_ns), so the numbers are the latency a strategy sees,
not a throughput average. Rows: the bare connector call (the floor), PAPER without and with the
audit log, and LIVE (armed, a connector that answers at once) with the audit line fsynced, the
LIVE default. Runs in a temporary state folder.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tradeguard import Limits, OrderGateway
from tradeguard.cli import live


class InstantConnector:
    def place_order(self, symbol, side, quantity, price=None):
        return {"success": True, "error": None, "data": {"order_id": "1"}}


def measure(submit: Callable[[], object], count: int) -> list[int]:
    for _ in range(min(500, count)):  # warm caches (signatures, stat of the state files, the log)
        submit()
    timings = []
    clock = time.perf_counter_ns
    for _ in range(count):
        started = clock()
        submit()
        timings.append(clock() - started)
    return timings


def row(name: str, timings: list[int]) -> str:
    ordered = sorted(timings)
    median = statistics.median(ordered) / 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] / 1000
    return f"{name:<44} {len(ordered):>7} {median:>10.1f} {p99:>10.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=20_000)
    args = parser.parse_args(argv)
    order = {"symbol": "EUR_USD", "side": "buy", "quantity": 1000, "price": 1.1}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        connector = InstantConnector()
        paper_quiet = OrderGateway({"fx": connector}, home=home / "quiet", limits=Limits(), audit=False)
        paper = OrderGateway({"fx": connector}, home=home / "paper", limits=Limits())
        live.main(["arm", "--home", str(home / "live"), "--approver", "a", "--approver", "b", "--ttl", "1h",
                   "--reason", "benchmark", "--no-readiness"])
        armed = OrderGateway({"fx": connector}, mode="LIVE", home=home / "live", limits=Limits())
        live_count = max(1, args.submits // 10)  # fsync per line: fewer rounds keep the run short
        print(f"{'per submit (microseconds)':<44} {'submits':>7} {'median':>10} {'p99':>10}")
        print(row("bare connector call (floor)", measure(lambda: connector.place_order(**order), args.submits)))
        print(row("PAPER, audit off", measure(lambda: paper_quiet.submit("fx", **order), args.submits)))
        print(row("PAPER, audit on (default)", measure(lambda: paper.submit("fx", **order), args.submits)))
        print(row("LIVE armed, audit fsynced (default)", measure(lambda: armed.submit("fx", **order), live_count)))
        lines = sum(1 for _ in open(home / "paper" / "audit.log"))
        print(f"audit lines written in PAPER: {lines}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
