"""The operations modules keep the runtime's promise: only the standard library at import time;
prometheus-client, OpenTelemetry and psycopg load when they are used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
before = set(sys.modules)
import tradeguard, tradeguard.metrics, tradeguard.tracing
import tradeguard.telemetry.report, tradeguard.telemetry.store, tradeguard.telemetry.html
with tradeguard.timed("strategy.decide"):
    pass
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_operations_modules_load_only_the_standard_library():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    loaded = json.loads(done.stdout)
    foreign = [name for name in loaded
               if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "tradeguard"]
    assert "tradeguard.tracing" in loaded and "tradeguard.metrics" in loaded
    assert foreign == []


def test_metrics_without_prometheus_client_say_how_to_get_it(monkeypatch):
    import tradeguard.metrics

    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # as if not installed
    with pytest.raises(ImportError, match=r"pip install 'tradeguard\[metrics\]'"):
        tradeguard.metrics.GatewayMetrics()
