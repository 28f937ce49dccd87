"""`tradeguard check` against its floor and a peer, measured in one run on one corpus.

    .venv/bin/python bench/bench_check.py [--files 2000] [--keep DIR]

Prints, for the generated corpus (see corpus.py):
- the floor: bare `libcst.parse_module` over every file, in one process;
- `tradeguard check` cold (no cache) and warm (unchanged files), as subprocesses, as ratios to it;
- one file, the pre-commit case: a changed file checked alone, with the project's caches warm;
- flake8 (pycodestyle + pyflakes, plus every installed plugin) over the same files, as a peer.
Targets (issue 2): cold <= 1.0x the floor, warm <= 0.1x, one file < 0.3 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, done


def parse_floor(files: list[Path]) -> float:
    import libcst

    texts = [path.read_text() for path in files]
    start = time.perf_counter()
    for text in texts:
        libcst.parse_module(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="generate the corpus here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="tg-bench-"))
    generate(root, args.files)
    files = sorted(root.rglob("*.py"))
    lines = sum(path.read_text().count("\n") for path in files)
    print(f"corpus: {len(files)} files, {lines} lines, {sum(p.stat().st_size for p in files) // 1024} KiB")
    mentions = sum("place_order" in path.read_text() for path in files)
    print(f"files mentioning place_order: {mentions} ({100 * mentions / len(files):.1f}%)")

    floor = parse_floor(files)
    print(f"floor  libcst.parse_module x{len(files)} (one process): {floor:7.2f} s")

    check = [str(BIN / "tradeguard"), "check", ".", "--exit-zero"]
    shutil.rmtree(root / ".tradeguard_cache", ignore_errors=True)
    cold, done = timed(check, root)
    findings = done.stdout.count("\n") - 1
    print(f"check  cold: {cold:7.2f} s  = {cold / floor:.3f}x floor   ({findings} findings)")
    warm, _ = timed(check, root)
    print(f"check  warm: {warm:7.2f} s  = {warm / floor:.3f}x floor")

    one = next(path for path in files if "prototypes" in str(path))
    one.write_text(one.read_text() + "\n\ndef later(broker):\n    return broker.place_order('X', 'BUY', 1)\n")
    single, done = timed([str(BIN / "tradeguard"), "check", str(one.relative_to(root))], root)
    print(f"check  one changed file (pre-commit case): {single:.3f} s  (exit {done.returncode})")
    plain = next(path for path in files if "indicators" in str(path))
    single_clean, _ = timed([str(BIN / "tradeguard"), "check", str(plain.relative_to(root))], root)
    print(f"check  one file without order tokens: {single_clean:.3f} s")

    flake8, _ = timed([str(BIN / "flake8"), "--exit-zero", "-q", "."], root)
    print(f"flake8 (all installed plugins): {flake8:7.2f} s  = {flake8 / floor:.3f}x floor; "
          f"check cold = {cold / flake8:.3f}x flake8")
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
