"""`tradeguard secrets` against stock `detect-secrets scan` on the same generated tree, in one run.

    .venv/bin/python bench/bench_secrets.py [--python-files 2400] [--keep DIR] [--repeat 3]

The tree is a trading repository of 3,000+ files: Python modules from bench/corpus.py, config
and docs files around them (YAML, JSON, TOML, INI, .env, Markdown, shell), and copies of the
labeled secrets corpus of tests/secrets/corpus.py (every credential kind, in every format, with
its false-positive bait). Each tool runs as its users run it, as a subprocess:

- `tradeguard secrets --format json .` and `detect-secrets scan --all-files .`: wall time (best
  of --repeat) and peak memory (resident set of the process and all its workers, summed,
  sampled every 10 ms);
- the one-file hook: `tradeguard secrets --baseline B FILE` and `detect-secrets-hook --baseline
  B FILE` on one staged config file (median of 7);
- detect-secrets' `is_indirect_reference` filter and tradeguard's on one whitespace-heavy line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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


def measure(command: list[str], cwd: Path) -> tuple[float, int, subprocess.CompletedProcess]:
    """(seconds, peak KiB of the process tree, result)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    return seconds, peak, subprocess.CompletedProcess(command, process.returncode, out, err)


def best_of(repeat: int, command: list[str], cwd: Path) -> tuple[float, int, subprocess.CompletedProcess]:
    runs = [measure(command, cwd) for _ in range(repeat)]
    return min(run[0] for run in runs), max(run[1] for run in runs), runs[-1][2]


def one_file(root: Path) -> tuple[float, float]:
    staged = root / "services/svc0/config/settings.yaml"
    baseline = root / "one-file.baseline"
    baseline.write_text(json.dumps({"version": "1.5.0", "plugins_used": [], "filters_used": [], "results": {}}))
    relative = str(staged.relative_to(root))
    ours = [str(BIN / "tradeguard"), "secrets", "--baseline", baseline.name, relative]
    theirs = [str(BIN / "detect-secrets-hook"), "--baseline", baseline.name, relative]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # detect-secrets-hook asks git about the baseline
    times = {}
    for name, command in (("ours", ours), ("theirs", theirs)):
        samples = []
        for _ in range(7):
            started = time.perf_counter()
            subprocess.run(command, cwd=root, capture_output=True)
            samples.append(time.perf_counter() - started)
        times[name] = statistics.median(samples)
    return times["ours"], times["theirs"]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python-files", type=int, default=2400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the tree here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="tg-bench-secrets-"))
    try:
        files = build_tree(root, args.python_files)
        size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
        print(f"tree: {files} files, {size / 1e6:.1f} MB, {os.cpu_count()} CPUs")

        ours = best_of(args.repeat, [str(BIN / "tradeguard"), "secrets", "--format", "json", "."], root)
        theirs = best_of(args.repeat, [str(BIN / "detect-secrets"), "scan", "--all-files", "."], root)
        if ours[2].returncode != 1 or theirs[2].returncode != 0:
            raise SystemExit(f"unexpected exit: tradeguard {ours[2].returncode}, detect-secrets {theirs[2].returncode}")
        our_findings = len(json.loads(ours[2].stdout))
        their_findings = sum(len(entries) for entries in json.loads(theirs[2].stdout)["results"].values())
        hook_ours, hook_theirs = one_file(root)
        stock_filter, our_filter = filter_line()

        rows = [
            ("whole tree, seconds", f"{ours[0]:.2f}", f"{theirs[0]:.2f}", f"{theirs[0] / ours[0]:.1f}x"),
            ("whole tree, peak MB", f"{ours[1] / 1024:.0f}", f"{theirs[1] / 1024:.0f}", ""),
            ("whole tree, findings", str(our_findings), str(their_findings), ""),
            ("one-file hook, seconds", f"{hook_ours:.3f}", f"{hook_theirs:.3f}", f"{hook_theirs / hook_ours:.1f}x"),
            ("indirect-reference filter, 900-space line, s", f"{our_filter:.6f}", f"{stock_filter:.3f}", f"{stock_filter / our_filter:.0f}x"),
        ]
        print(f"{'':46}{'tradeguard':>12}{'detect-secrets':>16}{'speed-up':>10}")
        for title, mine, stock, ratio in rows:
            print(f"{title:46}{mine:>12}{stock:>16}{ratio:>10}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
