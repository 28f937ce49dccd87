"""The ``tradeguard`` command: a thin dispatcher over one module per subcommand.

Each subcommand module exposes ``main(argv) -> int``; it is imported only when asked for,
so ``tradeguard live halt`` starts without loading LibCST.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

from tradeguard._bootstrap import load

# subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "check": ("hooks.check", "check Python files for order-routing, result-shape and LIVE-safety problems"),
    "rule": ("hooks.rule_docs", "print the documentation of a rule, e.g. `tradeguard rule TG101`"),
    "secrets": ("hooks.secrets.cli", "scan files for committed credentials"),
    "readiness": ("hooks.readiness", "run the pre-deployment checklist"),
    "live": ("tradeguard.cli.live", "operator commands: arm, disarm, halt, resume, status"),
}

USAGE = "usage: tradeguard {" + ",".join(SUBCOMMANDS) + "} [options]\n"


def _help() -> str:
    lines = [USAGE, "subcommands:"]
    lines += [f"  {name:<10} {text}" for name, (_, text) in SUBCOMMANDS.items()]
    lines.append("\n`tradeguard SUBCOMMAND --help` describes each one.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(_help())
        return 0 if args else 2
    if args[0] == "--version":
        from tradeguard import __version__

        print(f"tradeguard {__version__}")
        return 0
    entry = SUBCOMMANDS.get(args[0])
    if entry is None:
        sys.stderr.write(USAGE + f"tradeguard: error: unknown subcommand {args[0]!r}\n")
        return 2
    module = load(entry[0])
    try:
        return module.main(args[1:])
    except KeyboardInterrupt:
        sys.stderr.write("tradeguard: interrupted\n")
        return 130
    except Exception as error:  # the user sees one line; TRADEGUARD_DEBUG=1 shows the traceback
        if os.environ.get("TRADEGUARD_DEBUG"):
            raise
        sys.stderr.write(f"tradeguard: internal error: {_where(error)}; rerun with TRADEGUARD_DEBUG=1 for details\n")
        return 2


def _where(error: BaseException) -> str:
    """The error's type and innermost place, never its message: it might quote a secret."""
    frames = traceback.extract_tb(error.__traceback__)
    place = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{place}"


if __name__ == "__main__":
    raise SystemExit(main())
