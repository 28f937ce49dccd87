"""Recall and precision on the labeled corpus, for `tradeguard secrets` and stock detect-secrets
in the same run; and that no output, baseline or note ever holds a secret value."""

import json
import subprocess

import pytest

from tests.conftest import run_cli
from tests.secrets.corpus import table

FORMATS = ("text", "json", "sarif", "github", "gitlab")


def test_recall_and_precision_meet_the_targets_and_beat_stock_detect_secrets(corpus_run):
    corpus, ours, stock = corpus_run
    print("\n" + table([ours, stock]))
    assert len(corpus.labels) >= 100 and len(corpus.kinds) >= 15
    assert ours.recall >= 0.97, [(label.path, label.line, label.kind) for label in ours.missed]
    assert ours.precision >= 0.95, ours.false_positives
    assert ours.recall > stock.recall and ours.precision > stock.precision


def test_every_kind_is_planted_in_several_formats(corpus_run):
    corpus, _, _ = corpus_run
    formats = {}
    for label in corpus.labels:
        formats.setdefault(label.kind, set()).add(label.path.rsplit(".", 1)[-1] if "." in label.path else label.path)
    broker_kinds = ("oanda", "alpaca", "binance", "kraken", "polygon", "coinbase", "ibkr")
    assert all(len(formats[kind]) >= 4 for kind in broker_kinds), formats


def leaked(values: list[str], text: str) -> list[str]:
    """Values of which any 12 consecutive characters appear in `text`."""
    return [value for value in values if any(value[i: i + 12] in text for i in range(max(1, len(value) - 11)))]


@pytest.fixture(scope="module")
def corpus_repo(corpus_run):
    corpus, _, _ = corpus_run
    if not (corpus.root / ".git").exists():
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x.invalid"}
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "corpus"]):
            subprocess.run(["git", *args], cwd=corpus.root, check=True, capture_output=True, env={**__import__("os").environ, **env})
    return corpus


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_holds_a_secret_value(corpus_repo, fmt):
    done = run_cli("secrets", "--format", fmt, ".", cwd=corpus_repo.root)
    assert done.returncode == 1
    assert leaked(corpus_repo.values, done.stdout + done.stderr) == []


def test_neither_the_history_scan_nor_the_baseline_holds_a_secret_value(corpus_repo, tmp_path):
    history = run_cli("secrets", "--history", "--format", "json", cwd=corpus_repo.root)
    assert history.returncode == 1 and json.loads(history.stdout)
    baseline = tmp_path / "corpus.baseline"
    update = run_cli("secrets", "--baseline", baseline, "--update-baseline", ".", cwd=corpus_repo.root)
    assert update.returncode == 0, update.stderr
    written = baseline.read_text()
    assert len(json.loads(written)["results"]) > 30
    assert leaked(corpus_repo.values, history.stdout + history.stderr + update.stdout + update.stderr + written) == []


def test_a_scan_writes_nothing_into_the_tree(corpus_repo):
    before = sorted(p.relative_to(corpus_repo.root) for p in corpus_repo.root.rglob("*") if ".git" not in p.parts)
    run_cli("secrets", ".", cwd=corpus_repo.root)
    after = sorted(p.relative_to(corpus_repo.root) for p in corpus_repo.root.rglob("*") if ".git" not in p.parts)
    assert after == before
