"""examples/monitoring: the alert rules pass their promtool unit tests, every rule has a test that
fires it and one that does not, and every dashboard query names a metric the gateway exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

from tests.conftest import REPO
from tradeguard.metrics import GatewayMetrics

MONITORING = REPO / "examples" / "monitoring"
METRIC = re.compile(r"\btradeguard_[a-z_]+\b")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
RULES = ["TradeguardHighSubmitLatency", "TradeguardHighBrokerLatency", "TradeguardRepeatedBrokerFailures",
         "TradeguardBreakerOpen", "TradeguardHalted", "TradeguardNoSubmitsWhileArmed"]


def exported_series(tmp_path: Path) -> set[str]:
    """Every series name the gateway's metrics expose (as the exposition format spells them)."""
    registry = CollectorRegistry()
    GatewayMetrics(registry, home=tmp_path / "state")
    names = set()
    for family in registry.collect():
        names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return names


def test_promtool_unit_tests_of_the_alert_rules_pass(promtool):
    checked = subprocess.run([promtool, "check", "rules", "alerts.yml"], cwd=MONITORING, capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(RULES)} rules found" in checked.stdout
    tested = subprocess.run([promtool, "test", "rules", "alerts_test.yml"], cwd=MONITORING, capture_output=True,
                            text=True, timeout=60)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_promtool_catches_a_rule_that_stops_firing(promtool, tmp_path):
    # The unit tests can fail: a threshold raised out of reach makes them fail, naming the rule.
    copy = tmp_path / "monitoring"
    shutil.copytree(MONITORING, copy)
    rules = (copy / "alerts.yml").read_text()
    (copy / "alerts.yml").write_text(rules.replace("[5m])) >= 3", "[5m])) >= 300"))
    tested = subprocess.run([promtool, "test", "rules", "alerts_test.yml"], cwd=copy, capture_output=True,
                            text=True, timeout=60)
    assert tested.returncode != 0
    assert "TradeguardRepeatedBrokerFailures" in tested.stdout + tested.stderr


def test_every_rule_is_tested_firing_and_quiet():
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"][0]["rules"]
    assert [rule["alert"] for rule in rules] == RULES
    cases = [case for test in yaml.safe_load((MONITORING / "alerts_test.yml").read_text())["tests"]
             for case in test["alert_rule_test"]]
    for name in RULES:
        outcomes = [bool(case["exp_alerts"]) for case in cases if case["alertname"] == name]
        assert True in outcomes and False in outcomes, f"{name}: needs a firing and a quiet case"


def test_the_rules_use_only_exported_metrics(tmp_path):
    exported = exported_series(tmp_path)
    used = set(METRIC.findall((MONITORING / "alerts.yml").read_text()))
    assert used and used <= exported, used - exported


def test_every_dashboard_panel_queries_an_exported_metric(tmp_path):
    exported = exported_series(tmp_path)
    dashboard = json.loads((MONITORING / "grafana" / "tradeguard-dashboard.json").read_text())
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        names = {name for target in panel["targets"] for name in METRIC.findall(target["expr"])}
        assert names, f"panel {panel['title']!r} queries no tradeguard metric"
        assert names <= exported, f"panel {panel['title']!r}: {sorted(names - exported)} not exported"
        assert all(target["datasource"]["uid"] == "prometheus" for target in panel["targets"])


def test_the_dashboard_names_the_provisioned_datasource():
    provisioning = MONITORING / "grafana" / "provisioning"
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert [source["uid"] for source in datasources] == ["prometheus"]
    providers = yaml.safe_load((provisioning / "dashboards" / "tradeguard.yml").read_text())["providers"]
    assert providers[0]["type"] == "file" and providers[0]["options"]["path"]


def test_the_example_prometheus_config_is_valid(promtool):
    checked = subprocess.run([promtool, "check", "config", "prometheus.yml"], cwd=MONITORING, capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
