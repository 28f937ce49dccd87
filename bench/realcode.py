"""`tradeguard check` on real trading repositories, with the configuration their owners would write.

    .venv/bin/python bench/realcode.py /tmp/real/hummingbot /tmp/real/freqtrade /tmp/real/nautilus_trader
        [--select TG1,TG4] [--bare] [--parse-counts] [--unlabelled N] [--fix-check] [--findings-json DIR]

Each checkout (read-only) is copied, Python and Cython files only, to a temporary folder; the
configuration `bench/realcode/<checkout name>.toml` (a `[tool.tradeguard]` table) becomes its
pyproject.toml; `tradeguard check --format json --no-cache` runs there as a subprocess. Printed per
repository and code: the findings (all, and outside tests), and the precision of the hand-labelled
sample kept in `bench/realcode/labels_*.csv` (repo, path, line, code, label true/false, reason):
labels matched to today's findings by (repo, path, line, code). Labels no longer reported are
counted apart: a true one gone is a finding lost, a false one gone a false report fixed.

`--parse-counts` prints, per rule, how many files its tokens and `applies_to` make the engine
parse (the prefilter's selectivity). `--unlabelled N` prints up to N reported but unlabelled findings per code, to label next.
`--fix-check` also runs `check --fix --unsafe-fixes` on a second copy and prints every changed
line, whether each fixed file still parses, and whether a second run changes anything.
Time is CPU time (user+sys of the check process) beside wall time; the machine may be shared.
"""

from __future__ import annotations

import argparse
import ast
import csv
import difflib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent / "realcode"
sys.path.insert(0, str(HERE.parent.parent))  # --parse-counts asks the engine in-process
SOURCE_SUFFIXES = (".py", ".pyi", ".pyx", ".pxd")
TEST_PARTS = ("test", "tests")


def copy_sources(checkout: Path, dest: Path) -> int:
    """Copy the Python and Cython files of ``checkout`` to ``dest``; how many."""
    count = 0
    for folder, dirs, files in os.walk(checkout):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if name.endswith(SOURCE_SUFFIXES):
                source = Path(folder, name)
                target = dest / source.relative_to(checkout)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                count += 1
    return count


def prepare(checkout: Path, dest: Path, bare: bool = False) -> int:
    """Copy ``checkout`` to ``dest`` with its owners' configuration (``bare``: an empty table, as a
    new user's first run has)."""
    config = HERE / f"{checkout.name}.toml"
    if not config.is_file():
        raise SystemExit(f"realcode: no configuration {config} for checkout {checkout}")
    count = copy_sources(checkout, dest)
    if bare:
        (dest / "pyproject.toml").write_text("[tool.tradeguard]\n")
    else:
        shutil.copyfile(config, dest / "pyproject.toml")
    return count


def run_check(root: Path, extra: list[str]) -> tuple[list[dict], float, float]:
    """Findings, wall seconds and CPU seconds of one `tradeguard check` in ``root``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tradeguard.cli", "check", ".", "--format", "json", "--exit-zero", "--no-cache", *extra],
        cwd=root, capture_output=True, text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"realcode: check failed in {root} (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    findings = json.loads(done.stdout or "[]") if not extra or "--fix" not in extra else []
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return findings, wall, cpu


def load_labels() -> dict[tuple[str, str, int, str], tuple[bool, str]]:
    labels = {}
    for path in sorted(HERE.glob("labels_*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (row["repo"], row["path"], int(row["line"]), row["code"])
                labels[key] = (row["label"].strip().lower() == "true", row["reason"])
    return labels


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    return any(part in TEST_PARTS for part in parts[:-1]) or parts[-1].startswith("test_")


def parse_counts(root: Path) -> Counter:
    """Per rule, how many of the files under ``root`` its tokens and ``applies_to`` make the
    engine parse, with the project's configuration and index (as `check` builds them)."""
    from lint_rules.config import load_config
    from lint_rules.files import iter_python_files
    from lint_rules.engine import RuleSet
    from lint_rules.runner import Project

    config = load_config(root)
    files, _ = iter_python_files(config, [root])
    project = Project(config, use_cache=False)
    project.build_index(files)
    ruleset = RuleSet.for_config(config)
    counts: Counter = Counter({"files": len(files)})
    for path in files:
        context = project.context(config.relative(path), path.read_text(encoding="utf-8", errors="replace"))
        rules = ruleset.rules_for(context)
        counts.update(rule.code for rule in rules)
        counts["parsed by any rule"] += bool(rules)
    return counts


def summarize(repo: str, findings: list[dict], labels: dict) -> list[str]:
    lines = []
    by_code: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        by_code[finding["code"]].append(finding)
    reported = {(repo, f["path"], f["line"], f["code"]) for f in findings}
    codes = sorted(set(by_code) | {key[3] for key in labels if key[0] == repo})
    lines.append(f"  {'code':6} {'findings':>8} {'non-test':>8} {'labelled':>8} {'true':>5} {'precision':>9} {'gone:true':>9} {'gone:false':>10}")
    for code in codes:
        found = by_code.get(code, [])
        mine = {key: value for key, value in labels.items() if key[0] == repo and key[3] == code}
        still = [value[0] for key, value in mine.items() if key in reported]
        gone = [value[0] for key, value in mine.items() if key not in reported]
        precision = f"{sum(still) / len(still):.0%}" if still else "-"
        non_test = sum(not is_test_path(f["path"]) for f in found)
        lines.append(
            f"  {code:6} {len(found):8} {non_test:8} {len(still):8} {sum(still):5} {precision:>9} {sum(gone):9} {len(gone) - sum(gone):10}"
        )
    return lines


def unlabelled(repo: str, findings: list[dict], labels: dict, per_code: int) -> list[str]:
    shown: Counter = Counter()
    lines = []
    for finding in findings:
        key = (repo, finding["path"], finding["line"], finding["code"])
        if key in labels or shown[finding["code"]] >= per_code:
            continue
        shown[finding["code"]] += 1
        lines.append(f"    {repo},{finding['path']},{finding['line']},{finding['code']}  {finding['message'][:110]}")
    return lines


def fix_check(checkout: Path, select: list[str]) -> list[str]:
    """Every line `--fix --unsafe-fixes` changes, whether fixed files parse, whether it is stable."""
    with tempfile.TemporaryDirectory(prefix="tg-realfix-") as folder:
        root = Path(folder)
        prepare(checkout, root)
        pristine = {path: path.read_text(encoding="utf-8", errors="replace") for path in root.rglob("*.py")}
        run_check(root, ["--fix", "--unsafe-fixes", *select])
        lines, changed = [], []
        for path, before in sorted(pristine.items()):
            after = path.read_text(encoding="utf-8", errors="replace")
            if after == before:
                continue
            changed.append(path)
            rel = path.relative_to(root).as_posix()
            old, new = before.splitlines(), after.splitlines()
            for line in difflib.unified_diff(old, new, lineterm="", n=0):
                if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
                    lines.append(f"    {rel}: {line.strip()[:140]}")
            try:
                ast.parse(after)
            except SyntaxError as error:
                lines.append(f"    {rel}: DOES NOT PARSE after the fix: {error.msg} line {error.lineno}")
        route_self = sum("route(self" in line or "route(super()" in line for line in lines)
        snapshot = {path: path.read_text(encoding="utf-8", errors="replace") for path in changed}
        run_check(root, ["--fix", "--unsafe-fixes", *select])
        unstable = [path for path, text in snapshot.items() if path.read_text(encoding="utf-8", errors="replace") != text]
        added = sum(": +" in line for line in lines)
        header = [
            f"  fix: {len(changed)} files changed, {added} lines written; "
            f"route(self/super(), …): {route_self}; second run changed {len(unstable)} files",
        ]
        return header + lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--select", help="codes passed to check --select (default: the configuration's)")
    parser.add_argument("--unlabelled", type=int, default=0, metavar="N", help="print N unlabelled findings per code")
    parser.add_argument("--fix-check", action="store_true", help="also run --fix --unsafe-fixes and judge the changes")
    parser.add_argument("--parse-counts", action="store_true", help="print how many files each rule makes the engine parse")
    parser.add_argument("--bare", action="store_true", help="run with an empty [tool.tradeguard] table instead (a first run)")
    parser.add_argument("--findings-json", type=Path, metavar="DIR", help="write each repository's findings here")
    args = parser.parse_args()
    select = ["--select", args.select] if args.select else []
    labels = load_labels()
    print("realcode: CPU is user+sys of the check process; the machine may be shared with other work")
    for checkout in args.checkouts:
        checkout = checkout.resolve()
        repo = checkout.name + ("@bare" if args.bare else "")
        with tempfile.TemporaryDirectory(prefix=f"tg-real-{repo}-") as folder:
            files = prepare(checkout, Path(folder), args.bare)
            findings, wall, cpu = run_check(Path(folder), select)
            counts = parse_counts(Path(folder)) if args.parse_counts else None
        print(f"\n{repo}: {files} files, {len(findings)} findings, check {wall:.1f} s wall, {cpu:.1f} s CPU")
        print("\n".join(summarize(repo, findings, labels)))
        if counts:
            print("  files parsed, per rule: " + ", ".join(f"{code} {count}" for code, count in sorted(counts.items())))
        if args.unlabelled:
            print("\n".join(unlabelled(repo, findings, labels, args.unlabelled)))
        if args.findings_json:
            args.findings_json.mkdir(parents=True, exist_ok=True)
            (args.findings_json / f"{repo}.json").write_text(json.dumps(findings, indent=1))
        if args.fix_check:
            print("\n".join(fix_check(checkout, select)))


if __name__ == "__main__":
    main()
