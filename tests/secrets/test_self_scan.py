"""The project's own secret scan passes on the scanner's files, with no allowlisting: every
credential its tests use is built at run time."""

from tests.conftest import REPO, run_cli

OWN_PATHS = ("hooks/secrets", "tests/secrets", "bench/bench_secrets.py", "bench/secrets_quality.py", "docs/secrets.md")


def test_the_scanner_finds_nothing_in_its_own_source_and_tests():
    done = run_cli("secrets", *OWN_PATHS, cwd=REPO)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
