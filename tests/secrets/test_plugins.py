"""The detectors as detect-secrets plugins: its interface, its registry, its own scanner."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from detect_secrets.plugins.base import BasePlugin

from hooks.secrets import plugins
from hooks.secrets.detectors import DETECTORS
from hooks.secrets.engine import secret_hash

PLUGINS_FILE = Path(plugins.__file__)


def test_every_detector_is_a_plugin_class_of_the_same_name():
    assert [plugin.__name__ for plugin in plugins.PLUGINS] == [detector.name for detector in DETECTORS]
    assert all(issubclass(plugin, BasePlugin) and getattr(plugins, plugin.__name__) is plugin for plugin in plugins.PLUGINS)


def test_the_plugins_speak_detect_secrets_line_api(gen):
    token = gen.oanda()
    plugin = plugins.OandaV20TokenDetector()
    assert list(plugin.analyze_string(f"token: {token}")) == [token]
    [found] = plugin.analyze_line(filename="v20.conf", line=f"token: {token}", line_number=5)
    assert (found.type, found.line_number, found.secret_hash) == ("OANDA v20 Token", 5, secret_hash(token))


def test_no_plugin_verifies_over_the_network():
    assert all(plugin.verify is BasePlugin.verify for plugin in plugins.PLUGINS)


@pytest.mark.parametrize("plugin", plugins.PLUGINS, ids=lambda plugin: plugin.__name__)
def test_secret_types_and_class_names_do_not_clash_with_detect_secrets(plugin):
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    stock = get_mapping_from_secret_type_to_class()
    assert plugin.secret_type not in stock
    assert plugin.__name__ not in {cls.__name__ for cls in stock.values()}


def test_detect_secrets_itself_loads_and_runs_these_plugins(tmp_path, gen):
    (tmp_path / "v20.conf").write_text(f"hostname: api-fxpractice.oanda.com\ntoken: {gen.oanda()}\n")
    scan = [str(Path(sys.executable).with_name("detect-secrets")), "scan", "--all-files"]
    stock = json.loads(subprocess.run([*scan, "v20.conf"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout)
    assert stock["results"] == {}
    done = subprocess.run([*scan, "--plugin", str(PLUGINS_FILE), "v20.conf"], cwd=tmp_path, capture_output=True, text=True, check=True)
    results = json.loads(done.stdout)["results"]["v20.conf"]
    assert ("OANDA v20 Token", 2) in {(entry["type"], entry["line_number"]) for entry in results}


def test_a_scan_that_meets_no_pragma_never_imports_detect_secrets(tmp_path, gen):
    (tmp_path / "leak.env").write_text(f"OANDA_TOKEN={gen.oanda()}\n")
    code = (
        "import sys\nfrom tradeguard.cli.secrets import main\nmain(['leak.env'])\n"
        "assert not any(name.startswith(('detect_secrets', 'requests')) for name in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True)
