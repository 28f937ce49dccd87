"""`tradeguard check --fix` on the generated 2,000-file corpus, against `check` on the same files.

    .venv/bin/python bench/bench_fix.py [--files 2000] [--keep DIR]

Prints, for the corpus of corpus.py (its prototypes call `place_order` directly: TG101 with unsafe
fixes, one of them nested in a generator inside `asyncio.gather`), each run a subprocess with
`--no-cache` unless said otherwise:
- `check` (the reference: what a fix run does anyway);
- `check --diff --unsafe-fixes` (fixes computed, nothing written);
- `check --fix --unsafe-fixes` (fixes written, fixed files checked again);
- the same again on the fixed corpus, cold and with the cache the fix run left (nothing to do);
then verifies that no TG101 is left, every file still compiles, and a second fix changed nothing.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402

TRADEGUARD = str(Path(sys.executable).parent / "tradeguard")


def timed(arguments: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run([TRADEGUARD, "check", ".", *arguments], cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, done


def digest(files: list[Path]) -> str:
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="generate the corpus here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="tg-bench-fix-"))
    generate(root, args.files)
    files = sorted(root.rglob("*.py"))
    print(f"corpus: {len(files)} files, {sum(path.read_text().count(chr(10)) for path in files)} lines")

    check, done = timed(["--no-cache"], root)
    tg101 = done.stdout.count(" TG101 ")
    print(f"check                       {check:6.2f} s   ({tg101} TG101 findings)")
    original = digest(files)
    diff, done = timed(["--no-cache", "--diff", "--unsafe-fixes"], root)
    assert digest(files) == original, "--diff changed files"
    changed = done.stdout.count("\n+++ ")
    print(f"check --diff --unsafe-fixes {diff:6.2f} s   ({changed} files in the diff; nothing written)")
    fix, done = timed(["--no-cache", "--fix", "--unsafe-fixes"], root)
    fixed = done.stderr.count("tradeguard: fixed ")
    print(f"check --fix --unsafe-fixes  {fix:6.2f} s   ({fixed} files fixed, exit {done.returncode}); "
          f"{1000 * (fix - check) / max(fixed, 1):.0f} ms per fixed file over `check`")
    after = digest(files)
    again, done = timed(["--no-cache", "--fix", "--unsafe-fixes"], root)
    assert digest(files) == after and "fixed" not in done.stderr, "a second fix changed files"
    print(f"  again, nothing to fix     {again:6.2f} s   (cold)")
    fix_run = ["--fix", "--unsafe-fixes"]
    timed(fix_run, root)  # fills the cache
    warm, done = timed(fix_run, root)
    print(f"  again, nothing to fix     {warm:6.2f} s   (warm cache)")

    _, done = timed(["--no-cache", "--select", "TG101"], root)
    assert " TG101 " not in done.stdout, done.stdout
    assert compileall.compile_dir(root, quiet=2, legacy=False), "a fixed file does not compile"
    print("verified: no TG101 left, every file compiles, the second fix changed nothing")
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
