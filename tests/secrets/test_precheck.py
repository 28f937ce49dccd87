"""The precheck only saves time: on any text, the scan finds what it would find without it."""

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.secrets import engine, precheck
from tests.secrets.corpus import Generator

_gen = Generator(seed=5)
FRAGMENTS = [
    "OANDA_TOKEN=", "password: ", "IbPassword=", "api_key = ", "APCA_API_SECRET_KEY=", "Client(", "REST(",
    "from binance.client import Client\n", "https://bot:", "@db:5432", "-----BEGIN RSA PRIVATE KEY-----\n",
    '"', "'", " ", "\n", "=", ":", ", ", ")", "# pragma: allowlist secret", "${X}", "os.environ['K']",
    _gen.oanda(), _gen.alpaca_id(), _gen.alnum(40), _gen.b64(64), _gen.password(), _gen.aws_id(),
    _gen.telegram(), _gen.slack_webhook(), _gen.pem("RSA PRIVATE KEY", 120), "x = 1", "def f():",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join), st.sampled_from(["a.py", ".env", "c.yaml", "README.md"]))
def test_the_precheck_never_hides_a_finding(text, path):
    with_precheck = engine.scan_source(path, text)
    with mock.patch.object(precheck, "could_hold_secret", return_value=True):
        without = engine.scan_source(path, text)
    assert with_precheck == without
