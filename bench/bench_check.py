"""`tradeguard check` against its floor, on the generated corpus and on real repositories.

    .venv/bin/python bench/bench_check.py [--files 2000] [--real /tmp/real/hummingbot ...] [--runs 3]

The floor is bare `libcst.parse_module` over every checked file, in one process. It is measured in
the same run as `check`, and each `check` run is paired with a floor run just before it, so that
load from other work on a shared machine shifts both alike; the ratios are the medians of the
pairs. Every figure is CPU time (user + sys of the process and its workers), beside wall time.

For each corpus (a real repository is copied first: runs write their cache into it):
- cold: no cache; warm: unchanged files; one changed file (the pre-commit case), against its own
  floor (`python -c "import libcst; parse it"`); adding a module, warm otherwise;
- per rule, how many files its prefilter makes the engine parse (a file parses when any rule wants it).
- flake8 on that one file with a warm cache, with the plugin and without it (paired).
Targets (issue 16, hummingbot): cold <= 0.5x the floor's CPU, warm <= 0.02x, one changed file
<= 0.6x its floor, adding a module <= 2 s, the plugin <= 0.1 s more than flake8 alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402
from realcode import parse_counts  # noqa: E402

BIN = Path(sys.executable).parent
# flake8 with every installed plugin but tradeguard's: the editor's cost without us.
FLAKE8_ALONE = (
    "import sys, flake8.plugins.finder as finder\n"
    "found = finder._find_importlib_plugins\n"
    "finder._find_importlib_plugins = lambda: (p for p in found() if p.package != 'tradeguard')\n"
    "from flake8.main.cli import main\n"
    "sys.exit(main())\n"
)
FLOOR = "import sys, libcst\nfor name in sys.stdin.read().split('\\0'):\n    if name:\n        libcst.parse_module(open(name, 'rb').read())\n"


@dataclass(frozen=True)
class Cost:
    wall: float
    cpu: float   # user + sys of the process and the children it waited for

    def __str__(self) -> str:
        return f"{self.cpu:7.2f} s CPU {self.wall:7.2f} s wall"


def run(command: list[str], cwd: Path, stdin: str | None = None) -> tuple[Cost, subprocess.CompletedProcess]:
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Cost(wall, cpu), done


def floor_of(files: list[Path], cwd: Path) -> Cost:
    # Cython files (.pyx, .pxd) are token-scanned, never parsed: LibCST cannot read them.
    python = [path for path in files if path.suffix in (".py", ".pyi")]
    cost, done = run([sys.executable, "-c", FLOOR], cwd, "\0".join(map(str, python)))
    if done.returncode != 0:  # a floor that stopped early would flatter every ratio
        raise SystemExit(f"the floor run failed: {done.stderr.strip().splitlines()[-1:]}")
    return cost


def check(root: Path, *args: str) -> tuple[Cost, subprocess.CompletedProcess]:
    return run([str(BIN / "tradeguard"), "check", *args, "--exit-zero", "--format", "json"], root)


def ratio_line(label: str, pairs: list[tuple[Cost, Cost]]) -> str:
    cpu = median(cost.cpu / floor.cpu for cost, floor in pairs)
    wall = median(cost.wall / floor.wall for cost, floor in pairs)
    cost = Cost(median(c.wall for c, _ in pairs), median(c.cpu for c, _ in pairs))
    return f"  {label:<34} {cost}   = {cpu:6.3f}x floor CPU, {wall:6.3f}x floor wall"


def bench_corpus(name: str, root: Path, runs: int) -> None:
    from lint_rules.config import load_config
    from lint_rules.files import iter_python_files

    files, _ = iter_python_files(load_config(root), [root])
    size = sum(path.stat().st_size for path in files)
    print(f"\n{name}: {len(files)} files, {size // 1024} KiB")
    cold, warm = [], []
    for _ in range(runs):
        floor = floor_of(files, root)
        shutil.rmtree(root / ".tradeguard_cache", ignore_errors=True)
        cost, done = check(root, ".")
        cold.append((cost, floor))
        warm.append((check(root, ".")[0], floor))
    print(f"  floor (libcst.parse_module, all)   {Cost(median(f.wall for _, f in cold), median(f.cpu for _, f in cold))}")
    print(ratio_line("check cold", cold) + f"   ({done.stdout.count(chr(10) + '  {')} findings)")
    print(ratio_line("check warm", warm))

    one = max(files, key=lambda path: path.stat().st_size if path.stat().st_size < 100_000 else 0)
    rel = str(one.relative_to(root))
    original = one.read_bytes()
    single = []
    for number in range(runs + 2):
        one.write_bytes(original + f"\n\ndef later_{number}(broker):\n    return broker.place_order('X', 1)\n".encode())
        floor = run([sys.executable, "-c", f"import libcst; libcst.parse_module(open({rel!r}, 'rb').read())"], root)[0]
        single.append((check(root, rel)[0], floor))
    one.write_bytes(original)
    print(ratio_line(f"one changed file ({one.stat().st_size // 1024} KiB)", single).replace("floor", "its floor"))

    check(root, ".")  # the caches hold the file as it is again
    editor = []
    for _ in range(runs + 2):
        alone = run([sys.executable, "-c", FLAKE8_ALONE, "--exit-zero", rel], root)[0]
        editor.append((run([str(BIN / "flake8"), "--exit-zero", rel], root)[0], alone))
    extra_cpu = median(cost.cpu - alone.cpu for cost, alone in editor)
    extra_wall = median(cost.wall - alone.wall for cost, alone in editor)
    print(f"  flake8 on that file, warm cache: +{extra_cpu:.3f} s CPU, +{extra_wall:.3f} s wall with the plugin "
          f"(flake8 alone {median(alone.cpu for _, alone in editor):.3f} s CPU)")

    added = []
    for number in range(runs):
        module = root / f"bench_added_{number}.py"
        module.write_text(f"def helper_{number}(value):\n    return value * 2\n")
        added.append(check(root, ".")[0])
    print(f"  add a module, warm otherwise       {Cost(median(c.wall for c in added), median(c.cpu for c in added))}")

    counts = parse_counts(root)
    parsed = counts.pop("parsed by any rule", 0)
    per_rule = ", ".join(f"{code} {count}" for code, count in sorted(counts.items()) if code.startswith("TG"))
    print(f"  files parsed: {parsed} of {counts['files']}; by rule (a file counts for each rule that wants it): {per_rule}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="files in the generated corpus (0: none)")
    parser.add_argument("--real", type=Path, action="append", default=[], help="a real repository (copied first)")
    parser.add_argument("--runs", type=int, default=3, help="paired runs per figure")
    args = parser.parse_args()
    # An installed package has its bytecode compiled; this checkout may not (PYTHONDONTWRITEBYTECODE).
    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(repo / name) for name in ("lint_rules", "hooks", "tradeguard"))],
                   check=True, capture_output=True)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (a shared machine shifts wall times)")
    work = Path(tempfile.mkdtemp(prefix="tg-bench-"))
    try:
        if args.files:
            bench_corpus("generated corpus", generate(work / "corpus", args.files), args.runs)
        for real in args.real:
            copy = work / real.name
            shutil.copytree(real, copy, symlinks=True, ignore=shutil.ignore_patterns(".tradeguard_cache", ".git"))
            bench_corpus(str(real), copy, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
