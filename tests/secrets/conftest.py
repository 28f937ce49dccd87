"""Shared set-up of the secret scanner's tests: one corpus run."""

from __future__ import annotations

import pytest

from tests.secrets.corpus import build_corpus, measure_detect_secrets, measure_tradeguard


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory):
    """The labeled corpus, scanned once by `tradeguard secrets` and by stock `detect-secrets scan`."""
    corpus = build_corpus(tmp_path_factory.mktemp("corpus"))
    return corpus, measure_tradeguard(corpus), measure_detect_secrets(corpus)
