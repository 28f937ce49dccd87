import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TRADEGUARD = str(Path(sys.executable).with_name("tradeguard"))


@pytest.fixture
def gen():
    """Synthetic credentials of each vendor's shape, built at run time."""
    from tests.secrets.corpus import Generator

    return Generator(seed=17)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run with the working directory in a fresh temporary folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(*args, cwd=None, input=None, env=None):
    """The real console script as a subprocess."""
    import subprocess

    return subprocess.run(
        [TRADEGUARD, *map(str, args)], cwd=cwd, input=input, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=120,
    )
