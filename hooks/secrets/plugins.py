"""tradeguard's detectors as detect-secrets plugins.

detect-secrets loads this file as a plugin module:
``detect-secrets scan --plugin hooks/secrets/plugins.py`` (its registry takes every
`BasePlugin` subclass with a concrete `secret_type` found among the module's attributes). Each
class below wraps one detector of `hooks.secrets.detectors`, under the same name, and speaks
detect-secrets' line API. tradeguard's own engine calls the detectors directly and never imports
this module, so a scan does not load detect-secrets (and `requests` under it) for nothing.

`verify` stays detect-secrets' no-op: nothing is ever verified over the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins.base import BasePlugin

# Absolute imports: detect-secrets loads this file by path, outside its package.
from hooks.secrets.detectors import DETECTORS, Detector
from hooks.secrets.syntax import Scope


class TradeguardPlugin(BasePlugin):
    """A detect-secrets plugin over one detector; `secret_type` is the detector's."""

    detector: Detector

    def analyze_string(self, string: str) -> Iterator[str]:
        scope = Scope(string)
        if self.detector.runs_on(scope):
            yield from (match.value for match in self.detector.find(scope))

    def analyze_line(
        self, filename: str, line: str, line_number: int = 0, context: Any = None, **kwargs: Any
    ) -> set[PotentialSecret]:
        scope = Scope(line, filename)
        if not self.detector.runs_on(scope):
            return set()
        return {
            PotentialSecret(type=match.secret_type, filename=filename, secret=match.value, line_number=line_number)
            for match in self.detector.find(scope)
        }


def _plugin_class(detector: Detector) -> type[TradeguardPlugin]:
    name = detector.name
    attributes = {
        "secret_type": detector.secret_type,
        "detector": detector,
        "__doc__": detector.provider.doc,
        "__module__": __name__,
    }
    return type(name, (TradeguardPlugin,), attributes)


PLUGINS: tuple[type[TradeguardPlugin], ...] = tuple(_plugin_class(detector) for detector in DETECTORS)
# Module attributes are what detect-secrets' registry scans for plugin classes.
globals().update({plugin.__name__: plugin for plugin in PLUGINS})
