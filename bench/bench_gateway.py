"""The gateway's cost per submit against its floor, measured in the same run.

    .venv/bin/python bench/bench_gateway.py [--submits 20000]

The floor is what any audited submit must pay at least: ``json.dumps`` of the same audit record
the gateway writes (taken from the log of the PAPER run) plus one ``os.write`` on an ``O_APPEND``
descriptor. Each submit is timed alone (perf_counter_ns), so the numbers are the latency a strategy
sees; median and p99 per row, and the CPU time (user + sys of this process) per submit beside the
wall time. Rows: the floor, PAPER without and with the audit log, and LIVE (armed, a connector that
answers at once) with the write-ahead intent and the outcome both fsynced, the LIVE default. Runs
in a temporary state folder, with the arming key in a temporary config folder.
"""

from __future__ import annotations

import argparse
import json
import os
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


def measure(submit: Callable[[], object], count: int) -> tuple[list[int], float]:
    """Per-call wall times (ns) and the CPU seconds (user + sys) per call."""
    for _ in range(min(500, count)):  # warm caches (signatures, stat of the state files, the log)
        submit()
    timings = []
    clock = time.perf_counter_ns
    cpu_before = os.times()
    for _ in range(count):
        started = clock()
        submit()
        timings.append(clock() - started)
    cpu_after = os.times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    return timings, cpu / count


def row(name: str, measured: tuple[list[int], float], floor: float | None = None) -> str:
    timings, cpu = measured
    ordered = sorted(timings)
    median = statistics.median(ordered) / 1000
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] / 1000
    times = f" {median / floor:>6.1f}x" if floor else " " * 8
    return f"{name:<46} {len(ordered):>7} {median:>9.1f} {p99:>9.1f} {cpu * 1e6:>9.1f}{times}"


def floor_submit(record: dict, path: Path) -> Callable[[], None]:
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write() -> None:
        os.write(descriptor, (json.dumps(record, separators=(",", ":")) + "\n").encode())

    return write


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=20_000)
    args = parser.parse_args(argv)
    order = {"symbol": "EUR_USD", "side": "buy", "quantity": 1000, "price": 1.1}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        os.environ["XDG_CONFIG_HOME"] = str(home / "config")  # the arming key, outside the state folder
        os.environ.pop("TRADEGUARD_ARMING_KEY", None)
        connector = InstantConnector()
        paper_quiet = OrderGateway({"fx": connector}, home=home / "quiet", limits=Limits(), audit=False)
        paper = OrderGateway({"fx": connector}, home=home / "paper", limits=Limits())
        paper.submit("fx", **order)
        record = json.loads((home / "paper" / "audit.log").read_text().splitlines()[0])
        floor = measure(floor_submit(record, home / "floor.log"), args.submits)
        quiet = measure(lambda: paper_quiet.submit("fx", **order), args.submits)
        audited = measure(lambda: paper.submit("fx", **order), args.submits)
        live.main(["arm", "--home", str(home / "live"), "--approver", "ana", "--approver", "bo", "--ttl", "1h",
                   "--reason", "benchmark", "--no-readiness"])
        armed = OrderGateway({"fx": connector}, mode="LIVE", home=home / "live", limits=Limits())
        live_count = max(1, args.submits // 20)  # two fsyncs per submit: fewer rounds keep the run short
        armed_run = measure(lambda: armed.submit("fx", **order), live_count)
        floor_median = statistics.median(floor[0]) / 1000
        print(f"{'per submit (microseconds)':<46} {'submits':>7} {'median':>9} {'p99':>9} {'cpu':>9} {'floor':>7}")
        print(row("floor: json.dumps(audit record) + O_APPEND write", floor, floor_median))
        print(row("PAPER, audit off", quiet, floor_median))
        print(row("PAPER, audit on (default)", audited, floor_median))
        print(row("LIVE armed, write-ahead intent + outcome, fsync", armed_run, floor_median))
        lines = sum(1 for _ in open(home / "paper" / "audit.log"))
        print(f"audit lines written in PAPER: {lines}; record of {len(json.dumps(record))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
