"""Shared set-up of the secret scanner's tests: synthetic credentials, and one corpus run."""

from __future__ import annotations

import pytest

from tests.secrets.corpus import Generator, build_corpus, measure_detect_secrets, measure_tradeguard


@pytest.fixture
def gen() -> Generator:
    """Synthetic credentials of each vendor's shape, built at run time."""
    return Generator(seed=17)


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory):
    """The labeled corpus, scanned once by `tradeguard secrets` and by stock `detect-secrets scan`."""
    corpus = build_corpus(tmp_path_factory.mktemp("corpus"))
    return corpus, measure_tradeguard(corpus), measure_detect_secrets(corpus)
