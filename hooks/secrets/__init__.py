"""Broker-grade secret scanning on detect-secrets' plugins and baselines (`tradeguard secrets`).

Modules: `plugins` (the detect-secrets plugins), `syntax` (how names, values and client calls
are read from text), `filters` (what keeps reports true), `formats` (notebooks, Kubernetes
secrets), `engine` (one text), `scan` (files, in parallel), `history` (git blobs),
`baseline` (``.secrets.baseline``), `cli`.

The library entry points are imported lazily so that ``import hooks.secrets`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hooks.secrets.engine import scan_text
    from hooks.secrets.scan import scan_paths

__all__ = ["scan_text", "scan_paths"]


def __getattr__(name: str) -> Any:
    if name == "scan_text":
        from hooks.secrets.engine import scan_text

        return scan_text
    if name == "scan_paths":
        from hooks.secrets.scan import scan_paths

        return scan_paths
    raise AttributeError(name)
