"""The gateway's metrics after a scripted PAPER session, read back from the real exposition format
(`tradeguard.metrics.serve` over HTTP, and the textfile for node_exporter), across processes too."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import run_cli
from tradeguard import Limits, OrderGateway, timed
from tradeguard.audit import read_events
from tradeguard.metrics import GatewayMetrics, serve, write_textfile


class Connector:
    def place_order(self, symbol=None, side=None, quantity=1, price=None):
        raise AssertionError("PAPER never calls the connector")


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics as {(name, sorted label items): value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return samples(text)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(found: dict, metric: str, /, **labels: str) -> float:
    return found[(metric, tuple(sorted(labels.items())))]


@pytest.fixture
def served(tmp_path, monkeypatch):
    """make(limits): a PAPER gateway with metrics on its own registry, served on a free port."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRADEGUARD_MODE", raising=False)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    servers = []

    def make(limits: Limits) -> tuple[OrderGateway, int]:
        home = tmp_path / "state"
        registry = CollectorRegistry()
        gateway = OrderGateway({"fx": Connector(), "crypto": Connector()}, home=home, limits=limits,
                               metrics=GatewayMetrics(registry, home), price_source={"EUR_USD": 1.1, "BTC-USD": 50.0})
        servers.append(serve(0, registry=registry))
        return gateway, servers[-1].server_port

    yield make
    for server in servers:
        server.shutdown()


@pytest.fixture
def session(served):
    return served(Limits(max_notional=10_000))


def test_counts_buckets_and_gauges_after_a_scripted_session(session):
    gateway, port = session
    started = time.time()
    for _ in range(7):
        with timed("strategy.decide"):
            time.sleep(0.003)  # lands in the 5 ms bucket, not the 1 ms one
        assert gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1000, price=1.1)["success"]
    for _ in range(3):
        assert gateway.submit("crypto", symbol="BTC-USD", side="buy", quantity=1, price=50.0)["success"]
    assert not gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=10**6, price=1.1)["success"]  # notional

    before_halt = scrape(port)
    assert value(before_halt, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="filled") == 7
    assert value(before_halt, "tradeguard_orders_total", venue="crypto", mode="PAPER", outcome="filled") == 3
    assert value(before_halt, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="denied") == 1
    assert value(before_halt, "tradeguard_submit_seconds_count", venue="fx", mode="PAPER") == 8
    assert value(before_halt, "tradeguard_submit_seconds_bucket", venue="fx", mode="PAPER", le="+Inf") == 8
    assert value(before_halt, "tradeguard_broker_seconds_count", venue="fx", mode="PAPER") == 7  # the denial never reached it
    fx_buckets = [value(before_halt, "tradeguard_submit_seconds_bucket", venue="fx", mode="PAPER", le=le)
                  for le in ("0.0001", "0.001", "0.01", "0.1", "+Inf")]
    assert fx_buckets == sorted(fx_buckets) and fx_buckets[-2] == 8  # a PAPER submit is far under 100 ms
    assert value(before_halt, "tradeguard_decision_seconds_count", name="strategy.decide") == 7
    assert value(before_halt, "tradeguard_decision_seconds_bucket", name="strategy.decide", le="0.001") == 0
    # the audit lines carry the same decisions: the buckets match a count over the log
    audited = [event.decisions["strategy.decide"] for event in read_events(gateway.audit.path) if event.decisions]
    assert len(audited) == 7
    for le in ("0.005", "0.01", "0.1"):
        expected = sum(seconds <= float(le) for seconds in audited)
        assert value(before_halt, "tradeguard_decision_seconds_bucket", name="strategy.decide", le=le) == expected
    assert value(before_halt, "tradeguard_decision_seconds_sum", name="strategy.decide") == pytest.approx(sum(audited))
    assert started <= value(before_halt, "tradeguard_last_submit_timestamp_seconds", venue="fx") <= time.time()
    assert value(before_halt, "tradeguard_halted") == 0 and value(before_halt, "tradeguard_armed") == 0

    gateway.halt("drill")
    assert not gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1000, price=1.1)["success"]
    halted = scrape(port)
    assert value(halted, "tradeguard_halted") == 1
    assert value(halted, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="denied") == 2

    gateway.resume()
    assert gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1000, price=1.1)["success"]
    resumed = scrape(port)
    assert value(resumed, "tradeguard_halted") == 0
    assert value(resumed, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="filled") == 8


def test_a_breaker_trip_opens_the_gauge_and_a_resume_closes_it(served):
    gateway, port = served(Limits())
    for _ in range(5):  # the paper broker refuses an order without a symbol: a broker failure
        assert not gateway.submit("fx", side="buy", quantity=1000, price=1.1)["success"]
    tripped = scrape(port)
    assert value(tripped, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="failed") == 5
    assert value(tripped, "tradeguard_breaker_trips_total", venue="fx") == 1
    assert value(tripped, "tradeguard_breaker_open", venue="fx") == 1
    assert value(tripped, "tradeguard_halted") == 1
    gateway.resume()
    closed = scrape(port)
    assert value(closed, "tradeguard_breaker_open", venue="fx") == 0
    assert value(closed, "tradeguard_halted") == 0


def test_the_operators_commands_in_another_process_show_at_the_next_scrape(session, tmp_path):
    _, port = session
    home = str(tmp_path / "state")
    armed = run_cli("live", "arm", "--home", home, "--approver", "alice", "--approver", "bob", "--ttl", "1h",
                    "--reason", "drill", "--no-readiness", cwd=tmp_path)
    assert armed.returncode == 0, armed.stdout + armed.stderr
    assert value(scrape(port), "tradeguard_armed") == 1
    assert run_cli("live", "halt", "--home", home, "--reason", "operator drill", cwd=tmp_path).returncode == 0
    assert value(scrape(port), "tradeguard_halted") == 1
    assert run_cli("live", "disarm", "--home", home, cwd=tmp_path).returncode == 0
    assert value(scrape(port), "tradeguard_armed") == 0


def test_metrics_true_uses_the_default_registry(tmp_path):
    from prometheus_client import REGISTRY, generate_latest

    gateway = OrderGateway({"fx": Connector()}, home=tmp_path / "state", metrics=True, limits=Limits())
    before = samples(generate_latest(REGISTRY).decode()).get(
        ("tradeguard_orders_total", (("mode", "PAPER"), ("outcome", "filled"), ("venue", "fx"))), 0)
    gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.1)
    after = samples(generate_latest(REGISTRY).decode())
    assert value(after, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="filled") == before + 1


def test_the_textfile_for_node_exporter(session, tmp_path):
    gateway, _ = session
    gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1000, price=1.1)
    target = tmp_path / "textfile" / "tradeguard.prom"
    target.parent.mkdir()
    write_textfile(target, registry=gateway.observers[-1].registry)
    written = samples(target.read_text())
    assert value(written, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="filled") == 1
    assert [path.name for path in target.parent.iterdir()] == ["tradeguard.prom"]  # no temporary file left


WORKER = """
import sys
from tradeguard import Limits, OrderGateway
class Connector:
    def place_order(self, symbol=None, side=None, quantity=1, price=None): ...
gateway = OrderGateway({"fx": Connector()}, home=sys.argv[1], metrics=True, limits=Limits())
for _ in range(int(sys.argv[2])):
    gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.1)
gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=0, price=1.1)  # denied: bad_order
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    folder = tmp_path / "prometheus-multiproc"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path / "state"), str(count)], env=env)
               for count in (40, 25, 10)]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0, 0]
    target = tmp_path / "tradeguard.prom"
    exposed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(f"""
            from tradeguard.metrics import write_textfile
            write_textfile({str(target)!r}, home={str(tmp_path / 'state')!r})
        """)], env=env, capture_output=True, text=True, timeout=60)
    assert exposed.returncode == 0, exposed.stderr
    found = samples(target.read_text())
    assert value(found, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="filled") == 75
    assert value(found, "tradeguard_orders_total", venue="fx", mode="PAPER", outcome="denied") == 3
    assert value(found, "tradeguard_submit_seconds_count", venue="fx", mode="PAPER") == 78
    assert value(found, "tradeguard_halted") == 0
