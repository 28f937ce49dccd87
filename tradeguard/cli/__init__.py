"""The ``tradeguard`` command: a thin dispatcher over one module per subcommand.

Each subcommand is a module of this package exposing ``HELP`` (one line) and
``main(argv) -> int``; it is imported only when asked for, so ``tradeguard live halt`` starts
without loading LibCST.
"""

from __future__ import annotations

import os
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from tradeguard._bootstrap import load


def subcommands() -> list[str]:
    """Every subcommand: each public module of this package is one (a new command is a new file)."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def _module(name: str) -> ModuleType:
    return load(f"{__name__}.{name}")


def _usage() -> str:
    return "usage: tradeguard {" + ",".join(subcommands()) + "} [options]\n"


def _help() -> str:
    lines = [_usage(), "subcommands:"]
    lines += [f"  {name:<10} {_module(name).HELP}" for name in subcommands()]
    lines.append("\n`tradeguard SUBCOMMAND --help` describes each one.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(_help())
        return 0 if args else 2
    if args[0] == "--version":
        print(f"tradeguard {load('lint_rules').__version__}")
        return 0
    if args[0] not in subcommands():
        sys.stderr.write(_usage() + f"tradeguard: error: unknown subcommand {args[0]!r}\n")
        return 2
    module = _module(args[0])
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
    import traceback  # here: only a failing run needs it

    frames = traceback.extract_tb(error.__traceback__)
    place = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{place}"


if __name__ == "__main__":
    raise SystemExit(main())
