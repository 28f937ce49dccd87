"""tradeguard.timed: decisions measured as a context manager and as a decorator, handed to the next
submit once, kept apart per thread and per task; OpenTelemetry spans only when a provider is set."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from tradeguard.tracing import span, take_decisions, timed


@pytest.fixture(autouse=True)
def nothing_pending():
    take_decisions()
    yield
    take_decisions()


def test_a_block_is_measured_and_taken_once():
    with timed("strategy.decide"):
        time.sleep(0.02)
    decisions = take_decisions()
    assert list(decisions) == ["strategy.decide"]
    assert 0.02 <= decisions["strategy.decide"] < 0.5
    assert take_decisions() == {}


def test_a_decorated_function_is_measured_per_call_and_repeats_add_up():
    @timed("risk.size")
    def size(signal):
        time.sleep(0.01)
        return signal * 2

    assert size(3) == 6 and size(4) == 8
    assert size.__name__ == "size"
    decisions = take_decisions()
    assert 0.02 <= decisions["risk.size"] < 0.5


def test_an_exception_is_still_measured_and_goes_on():
    with pytest.raises(ZeroDivisionError):
        with timed("strategy.decide"):
            1 / 0
    assert "strategy.decide" in take_decisions()


def test_threads_keep_their_own_decisions():
    seen = {}

    def worker(name):
        with timed(name):
            time.sleep(0.01)
        seen[name] = take_decisions()

    threads = [threading.Thread(target=worker, args=(f"bot{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {name: list(found) for name, found in seen.items()} == {f"bot{i}": [f"bot{i}"] for i in range(4)}
    assert take_decisions() == {}


def test_asyncio_tasks_keep_their_own_decisions():
    async def strategy(name, pause):
        with timed(name):
            await asyncio.sleep(pause)
        await asyncio.sleep(0.01)
        return take_decisions()

    async def both():
        return await asyncio.gather(strategy("slow", 0.02), strategy("fast", 0.0))

    slow, fast = asyncio.run(both())
    assert list(slow) == ["slow"] and list(fast) == ["fast"]


def test_a_decision_needs_a_name():
    with pytest.raises(ValueError, match="non-empty name"):
        timed("")


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)


def test_without_opentelemetry_configured_nothing_is_imported_or_made():
    done = run_python("""
        import sys
        from tradeguard.tracing import span, timed
        with timed("strategy.decide"):
            pass
        assert span("x") is span("y"), "a shared no-op, nothing made per call"
        assert not [m for m in sys.modules if m.startswith("opentelemetry")], "opentelemetry was imported"
        import opentelemetry.trace  # imported, but no provider set: still no spans
        assert span("x") is span("y")
        print("ok")
    """)
    assert done.stdout.strip() == "ok", done.stderr


def test_with_a_tracer_provider_decisions_become_spans():
    done = run_python("""
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        from tradeguard.tracing import span, timed
        with span("bot.bar", symbol="EUR_USD"):
            with timed("strategy.decide"):
                pass
        try:
            with timed("strategy.risk"):
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        spans = {s.name: s for s in exporter.get_finished_spans()}
        assert set(spans) == {"bot.bar", "strategy.decide", "strategy.risk"}, set(spans)
        assert spans["strategy.decide"].parent.span_id == spans["bot.bar"].context.span_id
        assert spans["bot.bar"].attributes["symbol"] == "EUR_USD"
        assert spans["strategy.risk"].status.status_code.name == "ERROR"
        assert spans["strategy.decide"].instrumentation_scope.name == "tradeguard"
        print("ok")
    """)
    assert done.stdout.strip() == "ok", done.stderr


def test_the_next_submit_carries_the_decision_on_its_audit_line(tmp_path):
    from tradeguard import Limits, OrderGateway
    from tradeguard.audit import read_events

    class Connector:
        def place_order(self, symbol, side, quantity, price=None): ...

    gateway = OrderGateway({"fx": Connector()}, home=tmp_path / "state", limits=Limits())
    with timed("strategy.decide"):
        time.sleep(0.01)
    with timed("risk.size"):
        pass
    gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.1)
    gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.1)
    first, second = [event for event in read_events(gateway.audit.path) if event.kind == "order"]
    assert sorted(first.decisions) == ["risk.size", "strategy.decide"]
    assert 0.01 <= first.decisions["strategy.decide"] < 0.5
    assert second.decisions == {}


def test_with_a_tracer_provider_submits_become_spans(tmp_path):
    done = run_python(f"""
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        from tradeguard import Limits, OrderGateway, timed
        from tradeguard.tracing import span

        class Connector:
            def place_order(self, symbol=None, side=None, quantity=1, price=None): ...

        gateway = OrderGateway({{"fx": Connector()}}, home={str(tmp_path / "state")!r}, limits=Limits())
        with span("bot.bar"):
            with timed("strategy.decide"):
                pass
            gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.1)
        gateway.submit("fx", side="buy", quantity=1, price=1.1)  # no symbol: the paper broker fails it
        spans = exporter.get_finished_spans()
        names = [s.name for s in spans]
        assert names == ["strategy.decide", "tradeguard.submit", "bot.bar", "tradeguard.submit"], names
        bar, filled, failed = spans[2], spans[1], spans[3]
        assert filled.parent.span_id == bar.context.span_id and failed.parent is None
        assert filled.attributes["tradeguard.venue"] == "fx" and filled.attributes["tradeguard.outcome"] == "filled"
        assert 0 < filled.end_time - filled.start_time < 10**9
        assert failed.status.status_code.name == "ERROR" and failed.attributes["tradeguard.outcome"] == "failed"
        print("ok")
    """)
    assert done.stdout.strip() == "ok", done.stderr
