"""The runtime imports only the standard library: trading processes load it without LibCST or SDKs."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
before = set(sys.modules)
import tradeguard, tradeguard.credentials, tradeguard.cli.live
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_import_tradeguard_loads_only_the_standard_library():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    loaded = json.loads(done.stdout)
    foreign = [
        name for name in loaded
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "tradeguard"
    ]
    assert "tradeguard.gateway" in loaded
    assert foreign == []


def test_every_exported_name_resolves_on_first_use():
    import tradeguard

    assert sorted(tradeguard.__all__) == sorted(tradeguard._EXPORTS)
    for name in tradeguard.__all__:
        assert getattr(tradeguard, name) is not None
    assert tradeguard.ok({"x": 1}) == {"success": True, "error": None, "data": {"x": 1}}
