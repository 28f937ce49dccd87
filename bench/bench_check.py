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
from statistics import median

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
    # An installed package has its bytecode compiled; this checkout may not (PYTHONDONTWRITEBYTECODE).
    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(repo / name) for name in ("lint_rules", "hooks", "tradeguard"))],
                   check=True, capture_output=True)
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

    # One file, as pre-commit runs it: median of several runs, each after an edit of the file.
    one = next(path for path in files if "prototypes" in str(path))
    rel = str(one.relative_to(root))
    single = []
    for run in range(7):
        one.write_text(one.read_text() + f"\n\ndef later_{run}(broker):\n    return broker.place_order('X', 'BUY', 1)\n")
        single.append(timed([str(BIN / "tradeguard"), "check", rel], root)[0])
    one_floor = [
        timed([sys.executable, "-c", f"import libcst; libcst.parse_module(open({rel!r}).read())"], root)[0]
        for _ in range(7)
    ]
    print(f"check  one changed file (pre-commit case), median of 7: {median(single):.3f} s; "
          f"its floor (python + import libcst + parse it): {median(one_floor):.3f} s")
    plain = next(path for path in files if "indicators" in str(path))
    single_clean = median(timed([str(BIN / "tradeguard"), "check", str(plain.relative_to(root))], root)[0] for _ in range(7))
    print(f"check  one file without order tokens (never parsed), median of 7: {single_clean:.3f} s")

    flake8, _ = timed([str(BIN / "flake8"), "--exit-zero", "-q", "."], root)
    print(f"flake8 (all installed plugins): {flake8:7.2f} s  = {flake8 / floor:.3f}x floor; "
          f"check cold = {cold / flake8:.3f}x flake8")
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
