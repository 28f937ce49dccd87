"""Recall and precision of `tradeguard secrets` and stock `detect-secrets scan` on the labeled corpus.

    .venv/bin/python bench/secrets_quality.py [--seed 301] [--keep DIR] [--details]

The corpus (tests/secrets/corpus.py) is a trading repository's files with synthetic credentials
of every kind in every format they are found in, and realistic false-positive bait. Both scanners
run as their users run them (console scripts, subprocesses) on the same tree, in this one run;
a line counts as found when anything is reported on it. `--details` lists what each missed and
each reported falsely.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.secrets.corpus import build_corpus, measure_detect_secrets, measure_tradeguard, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=301)
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    parser.add_argument("--details", action="store_true", help="list missed lines and false positives")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="tg-secrets-quality-"))
    try:
        corpus = build_corpus(root, args.seed)
        print(f"corpus: {corpus.files} files, {len(corpus.labels)} labeled lines, {len(corpus.kinds)} kinds\n")
        qualities = [measure_tradeguard(corpus), measure_detect_secrets(corpus)]
        print(table(qualities))
        if args.details:
            for quality in qualities:
                print(f"\n{quality.tool}")
                print("  missed:", *(f"{label.path}:{label.line} ({label.kind})" for label in quality.missed) or ["none"], sep="\n    ")
                print("  false positives:", *(f"{path}:{line}" for path, line in quality.false_positives) or ["none"], sep="\n    ")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
