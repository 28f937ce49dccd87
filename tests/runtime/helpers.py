"""Helpers shared by the runtime tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TRADEGUARD = str(Path(sys.executable).with_name("tradeguard"))


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed `tradeguard` console script, as an operator runs it."""
    return subprocess.run(
        [TRADEGUARD, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


class RecordingConnector:
    """A connector whose order method counts its calls and answers canonically."""

    venue = "recording"

    def __init__(self, fail_with: Exception | None = None, reply: object = None) -> None:
        self.calls: list[dict] = []
        self.fail_with = fail_with
        self.reply = reply

    def place_order(self, symbol, side, quantity, price=None, **extra):
        self.calls.append({"symbol": symbol, "side": side, "quantity": quantity, "price": price, **extra})
        if self.fail_with is not None:
            raise self.fail_with
        if self.reply is not None:
            return self.reply
        return {"success": True, "error": None, "data": {"order_id": f"live-{len(self.calls)}"}}
