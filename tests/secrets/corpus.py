"""A labeled corpus of a trading repository's files, generated at run time.

Every credential is built here by code from a seeded random generator: no real or fixed
secret exists in the source, and the project's own scan passes without allowlisting this
file. Each planted credential is unique, so a scanner that records a secret once per file
(detect-secrets does) is not penalised for repeats.

`build_corpus(root)` writes the tree and returns its labels: the (path, line) of every line
holding a credential, with the kind of credential. Every other line is bait: realistic text
a scanner must not report (placeholders, environment lookups, hashes in lockfiles, commit
SHAs, UUIDs, public keys and certificates, PEM header mentions, vendor documentation
examples, notebook image outputs, dummy values in tests).

`measure_tradeguard` and `measure_detect_secrets` run the two scanners as their users do (the
console scripts, as subprocesses) and score them on the same labels, by line.
"""

from __future__ import annotations

import base64
import json
import os
import random
import string
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Label:
    path: str
    line: int
    kind: str


@dataclass
class Corpus:
    root: Path
    labels: list[Label] = field(default_factory=list)
    # Every planted secret value, for the tests that no output holds one.
    values: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def kinds(self) -> list[str]:
        return sorted({label.kind for label in self.labels})


class Generator:
    """Synthetic credentials of each vendor's shape; every value it returns is new."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.planted: list[str] = []

    def _keep(self, value: str) -> str:
        self.planted.append(value)
        return value

    def chars(self, alphabet: str, length: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def hex(self, length: int) -> str:
        return self._keep(self.chars("0123456789abcdef", length))

    def alnum(self, length: int) -> str:
        return self._keep(self.chars(string.ascii_letters + string.digits, length))

    def b64(self, size: int) -> str:
        return self._keep(base64.b64encode(self.rng.randbytes(size)).decode())

    def b64url(self, length: int) -> str:
        return self._keep(self.chars(string.ascii_letters + string.digits + "-_", length))

    def digits(self, length: int) -> str:
        return self.chars("123456789", 1) + self.chars(string.digits, length - 1)

    def uuid(self) -> str:
        h = self.chars("0123456789abcdef", 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def password(self) -> str:
        core = self.chars(string.ascii_letters, 6) + self.chars(string.digits, 3) + self.chars("!#%^*_+-", 2)
        return self._keep("".join(self.rng.sample(core, len(core))) + self.chars(string.ascii_lowercase, 2))

    def url_password(self) -> str:
        """A password as it stands in a URL: unreserved characters only (others are %-encoded)."""
        core = self.chars(string.ascii_letters, 7) + self.chars(string.digits, 4) + self.chars("-._~", 2)
        return self._keep("".join(self.rng.sample(core, len(core))))

    def oanda(self) -> str:
        return self._keep(self.chars("0123456789abcdef", 32) + "-" + self.chars("0123456789abcdef", 32))

    def alpaca_id(self, prefix: str = "PK") -> str:
        body = self.chars(string.ascii_uppercase, 9) + self.chars(string.digits, 9)
        return self._keep(prefix + "".join(self.rng.sample(body, len(body))))

    def aws_id(self) -> str:
        return self._keep("AKIA" + self.chars(string.ascii_uppercase + "234567", 16))

    def aws_secret(self) -> str:
        return self._keep(self.chars(string.ascii_letters + string.digits + "/+", 40))

    def passphrase(self) -> str:
        return self._keep(self.chars(string.ascii_lowercase, 7) + self.chars(string.digits, 4))

    def pem(self, label: str, size: int, opening: bytes = b"") -> str:
        body = base64.b64encode(opening + self.rng.randbytes(size)).decode()
        self.planted.append(body[:64])
        lines = [body[i: i + 64] for i in range(0, len(body), 64)]
        return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"

    def slack_webhook(self) -> str:
        upper = string.ascii_uppercase + string.digits
        return self._keep(f"https://hooks.slack.com/services/T{self.chars(upper, 8)}/B{self.chars(upper, 10)}/{self.chars(string.ascii_letters + string.digits, 24)}")

    def discord_webhook(self) -> str:
        return self._keep(f"https://discord.com/api/webhooks/{self.digits(18)}/{self.chars(string.ascii_letters + string.digits + '-_', 68)}")

    def teams_webhook(self) -> str:
        return self._keep(
            f"https://contoso.webhook.office.com/webhookb2/{self.uuid()}@{self.uuid()}"
            f"/IncomingWebhook/{self.chars('0123456789abcdef', 32)}/{self.uuid()}"
        )

    def telegram(self) -> str:
        return self._keep(f"{self.digits(10)}:AA{self.chars(string.ascii_letters + string.digits + '-_', 33)}")

    def github(self) -> str:
        return self._keep("ghp_" + self.chars(string.ascii_letters + string.digits, 36))

    def google(self) -> str:
        return self._keep("AIza" + self.chars(string.ascii_letters + string.digits + "-_", 35))


class _Writer:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def file(self, path: str, text: str, *secrets: tuple[str, str]) -> None:
        """Write `text`; each (kind, needle) labels the line holding `needle`."""
        target = self.corpus.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.corpus.files += 1
        lines = text.split("\n")
        for kind, needle in secrets:
            numbers = [number for number, line in enumerate(lines, start=1) if needle in line]
            if len(numbers) != 1:
                raise AssertionError(f"corpus: {needle[:12]}... is on {len(numbers)} lines of {path}")
            self.corpus.labels.append(Label(path, numbers[0], kind))


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def build_corpus(root: Path, seed: int = 301) -> Corpus:
    corpus = Corpus(root)
    g = Generator(seed)
    w = _Writer(corpus)
    _python(w, g)
    _env_files(w, g)
    _yaml_json_toml_ini(w, g)
    _shell_docker(w, g)
    _kubernetes(w, g)
    _notebook(w, g)
    _keys(w, g)
    _connection_strings_and_tool_configs(w, g)
    _docs_and_bait(w, g)
    corpus.values = list(g.planted)
    return corpus


def _python(w: _Writer, g: Generator) -> None:
    oanda, apca_id, apca_secret = g.oanda(), g.alpaca_id(), g.alnum(40)
    kraken_key, kraken_secret, polygon = g.b64(42), g.b64(64), g.alnum(32)
    passphrase, smtp, db_pw = g.passphrase(), g.password(), g.url_password()
    slack, telegram = g.slack_webhook(), g.telegram()
    w.file("bot/config.py", textwrap.dedent(f'''\
        """Settings of the trading bot."""
        import os

        OANDA_ACCESS_TOKEN = "{oanda}"
        OANDA_ACCOUNT_ID = "101-001-1234567-001"
        ALPACA_API_KEY_ID = "{apca_id}"
        ALPACA_API_SECRET = "{apca_secret}"
        BINANCE_API_KEY = os.environ["BINANCE_API_KEY"]
        BINANCE_API_SECRET = os.getenv("BINANCE_API_SECRET", "")
        KRAKEN_API_KEY = "{kraken_key}"
        KRAKEN_PRIVATE_KEY = "{kraken_secret}"
        POLYGON_API_KEY: str = "{polygon}"
        COINBASE_API_PASSPHRASE = "{passphrase}"
        SMTP_PASSWORD = "{smtp}"
        DATABASE_URL = "postgresql://trader:{db_pw}@db.internal:5432/trading"
        SLACK_WEBHOOK_URL = "{slack}"
        TELEGRAM_BOT_TOKEN = "{telegram}"
        REQUEST_TIMEOUT = 30
        CACHE_KEY_PREFIX = "quotes:"
        API_KEY_HEADER = "X-MBX-APIKEY"
        WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET")
        '''),
        ("oanda", oanda), ("alpaca", apca_id), ("alpaca", apca_secret), ("kraken", kraken_key),
        ("kraken", kraken_secret), ("polygon", polygon), ("coinbase", passphrase), ("password", smtp),
        ("url-password", db_pw), ("webhook", slack), ("telegram", telegram),
    )

    binance_key, binance_secret = g.alnum(64), g.alnum(64)
    apca_id2, apca_secret2 = g.alpaca_id("AK"), g.alnum(40)
    kraken_key2, kraken_secret2, polygon2 = g.b64(42), g.b64(64), g.alnum(32)
    cb_key, cb_secret, cb_pass = g.hex(32), g.b64(64), g.passphrase()
    w.file("bot/connectors/clients.py", textwrap.dedent(f'''\
        from binance.client import Client
        import alpaca_trade_api as tradeapi
        import krakenex
        from polygon import RESTClient
        import cbpro


        def make_clients():
            binance = Client("{binance_key}", "{binance_secret}")
            alpaca = tradeapi.REST("{apca_id2}", "{apca_secret2}", "https://api.alpaca.markets")
            kraken = krakenex.API("{kraken_key2}", "{kraken_secret2}")
            polygon = RESTClient("{polygon2}")
            coinbase = cbpro.AuthenticatedClient(
                "{cb_key}",
                "{cb_secret}",
                "{cb_pass}",
            )
            return binance, alpaca, kraken, polygon, coinbase


        def from_environment(api_key: str, api_secret: str):
            return Client(api_key, api_secret)
        '''),
        ("binance", binance_key), ("alpaca", apca_id2), ("kraken", kraken_key2), ("polygon", polygon2),
        ("coinbase", cb_key), ("coinbase", cb_secret), ("coinbase", cb_pass),
    )

    oanda2, oanda3 = g.oanda(), g.oanda()
    w.file("bot/connectors/oanda_v20.py", textwrap.dedent(f'''\
        import os

        import oandapyV20
        import v20

        PRACTICE = "api-fxpractice.oanda.com"


        def context():
            return v20.Context(PRACTICE, 443, True, application="bot", token="{oanda2}")


        def api():
            return oandapyV20.API(access_token="{oanda3}", environment="practice")


        def from_env():
            token = os.environ.get("OANDA_TOKEN")
            headers = {{"Authorization": f"Bearer {{token}}"}}
            return headers


        def is_pem(text: str) -> bool:
            return text.startswith("-----BEGIN RSA PRIVATE KEY-----")
        '''),
        ("oanda", oanda2), ("oanda", oanda3),
    )

    cdp_name = f"organizations/{g.uuid()}/apiKeys/{g.uuid()}"
    cdp_pem = g.pem("EC PRIVATE KEY", 89, b"\x30\x77\x02\x01\x01\x04\x20")
    cdp_escaped = cdp_pem.replace("\n", "\\n")
    w.file("bot/connectors/coinbase_advanced.py", textwrap.dedent(f'''\
        from coinbase.rest import RESTClient

        api_key = "{cdp_name}"
        api_secret = "{cdp_escaped}"

        client = RESTClient(api_key=api_key, api_secret=api_secret)
        '''),
        ("coinbase-cdp", "api_secret = "),
    )

    binance_in_test = g.alnum(64)
    w.file("tests/test_connectors.py", textwrap.dedent(f'''\
        from binance.client import Client

        from bot.connectors import clients


        def test_client_is_built():
            client = Client("dummy_key", "dummy_secret")
            assert client


        def test_signing():
            api_key = "test-api-key"
            secret = "fake-secret-0000"
            password = "testpass123"
            assert sign(api_key, secret, password)


        def test_live_account_smoke():
            binance_api_key = "{binance_in_test}"
            assert clients.make_clients()
        '''),
        ("binance", binance_in_test),
    )

    w.file("bot/utils.py", textwrap.dedent(f'''\
        import getpass
        import hashlib
        import hmac
        import uuid

        COMMIT_SHA = "{g.chars("0123456789abcdef", 40)}"
        DEFAULT_ORDER_ID = "{g.uuid()}"
        KEY_ID_PATTERN = r"PK[0-9A-Z]{{18}}"
        password_hash = "{g.chars("0123456789abcdef", 64)}"
        secret_name = "trading/oanda"
        token_url = "https://api.example.com/oauth/token"
        max_tokens = 4096


        class Signer:
            def __init__(self, api_key: str, api_secret: str) -> None:
                self.api_key = api_key
                self.api_secret = api_secret

            def sign(self, message: bytes) -> str:
                return hmac.new(self.api_secret.encode(), message, hashlib.sha256).hexdigest()


        def rows_by_time(rows):
            return sorted(rows, key=lambda row: row["ts"])


        def ask_password() -> str:
            password = getpass.getpass("IB password: ")
            return password


        def new_order_id() -> str:
            client_order_id = str(uuid.uuid4())
            return client_order_id
        '''))

    polygon3 = g.alnum(32)
    w.file("web/config.js", textwrap.dedent(f'''\
        const POLYGON_API_KEY = "{polygon3}";
        export const settings = {{
          apiKey: process.env.POLYGON_API_KEY,
          refreshSeconds: 15,
        }};
        '''),
        ("polygon", polygon3),
    )


def _env_files(w: _Writer, g: Generator) -> None:
    values = {
        "OANDA_TOKEN": ("oanda", g.oanda()),
        "APCA_API_KEY_ID": ("alpaca", g.alpaca_id()),
        "APCA_API_SECRET_KEY": ("alpaca", g.alnum(40)),
        "BINANCE_API_KEY": ("binance", g.alnum(64)),
        "BINANCE_API_SECRET": ("binance", g.alnum(64)),
        "KRAKEN_API_KEY": ("kraken", g.b64(42)),
        "KRAKEN_API_SECRET": ("kraken", g.b64(64)),
        "POLYGON_API_KEY": ("polygon", g.alnum(32)),
        "COINBASE_API_KEY": ("coinbase", g.hex(32)),
        "COINBASE_API_SECRET": ("coinbase", g.b64(64)),
        "COINBASE_API_PASSPHRASE": ("coinbase", g.passphrase()),
        "TWS_PASSWORD": ("ibkr", g.password()),
        "AWS_ACCESS_KEY_ID": ("aws", g.aws_id()),
        "AWS_SECRET_ACCESS_KEY": ("aws", g.aws_secret()),
        "DISCORD_WEBHOOK_URL": ("webhook", g.discord_webhook()),
        "GITHUB_TOKEN": ("github", g.github()),
        "GOOGLE_MAPS_API_KEY": ("google", g.google()),
    }
    redis_pw = g.url_password()
    lines = ["# local settings, never commit", "TWS_USERID=traderjoe", "TRADING_MODE=paper"]
    lines += [f"{name}={value}" for name, (_, value) in values.items()]
    lines.append(f"REDIS_URL=redis://:{redis_pw}@redis:6379/0")
    w.file(".env", "\n".join(lines) + "\n", *[(kind, f"{name}={value}") for name, (kind, value) in values.items()], ("url-password", redis_pw))

    w.file(".env.example", textwrap.dedent('''\
        # copy to .env and fill in
        OANDA_TOKEN=<your-oanda-token>
        APCA_API_KEY_ID=your_key_id
        APCA_API_SECRET_KEY=
        BINANCE_API_KEY=changeme
        BINANCE_API_SECRET=xxxxxxxxxxxxxxxxxxxxxxxx
        TWS_PASSWORD=${TWS_PASSWORD}
        POLYGON_API_KEY=REPLACE_ME
        AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
        AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
        DATABASE_URL=postgres://user:password@localhost:5432/trading
        SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX
        '''))

    cdp_pem = g.pem("EC PRIVATE KEY", 89, b"\x30\x77\x02\x01\x01\x04\x20").replace("\n", "\\n")
    w.file("deploy/coinbase.env", textwrap.dedent(f'''\
        COINBASE_API_KEY_NAME=organizations/{g.uuid()}/apiKeys/{g.uuid()}
        COINBASE_API_PRIVATE_KEY="{cdp_pem}"
        '''),
        ("coinbase-cdp", "COINBASE_API_PRIVATE_KEY="),
    )

    access, secret = g.hex(32), g.b64(128)
    w.file("deploy/ibind.env", textwrap.dedent(f'''\
        IBIND_USE_OAUTH=True
        IBIND_OAUTH1A_CONSUMER_KEY=TRADEBOTX
        IBIND_OAUTH1A_ACCESS_TOKEN={access}
        IBIND_OAUTH1A_ACCESS_TOKEN_SECRET={secret}
        IBIND_OAUTH1A_DH_PRIME={g.chars("0123456789abcdef", 512)}
        IBIND_OAUTH1A_ENCRYPTION_KEY_FP=./keys/private_encryption.pem
        IBIND_OAUTH1A_SIGNATURE_KEY_FP=./keys/private_signature.pem
        '''),
        ("ibkr", access), ("ibkr", secret),
    )


def _yaml_json_toml_ini(w: _Writer, g: Generator) -> None:
    oanda, bkey, bsecret, db_pw = g.oanda(), g.alnum(64), g.alnum(64), g.password()
    slack, teams = g.slack_webhook(), g.teams_webhook()
    cb_key, cb_secret, cb_pass = g.hex(32), g.b64(64), g.passphrase()
    aws_id, aws_secret = g.aws_id(), g.aws_secret()
    w.file("config/settings.yaml", textwrap.dedent(f'''\
        oanda:
          environment: practice
          account_id: 101-001-7654321-001
          token: {oanda}
        binance:
          api_key: {bkey}
          api_secret: "{bsecret}"
          testnet: true
        database:
          host: db.internal
          password: {db_pw}
          password_min_length: 12
        alerts:
          slack_webhook: {slack}
          teams_webhook: "{teams}"
        coinbase:
          api_key: {cb_key}
          api_secret: {cb_secret}
          passphrase: '{cb_pass}'
        aws:
          region: us-east-1
          access_key_id: {aws_id}
          secret_access_key: {aws_secret}
        '''),
        ("oanda", oanda), ("binance", bkey), ("binance", bsecret), ("password", db_pw), ("webhook", slack),
        ("webhook", teams), ("coinbase", cb_key), ("coinbase", cb_secret), ("coinbase", cb_pass),
        ("aws", aws_id), ("aws", aws_secret),
    )

    v20 = g.oanda()
    w.file("config/v20.conf", textwrap.dedent(f'''\
        hostname: api-fxpractice.oanda.com
        streaming_hostname: stream-fxpractice.oanda.com
        port: 443
        ssl: true
        token: {v20}
        username: traderjoe
        datetime_format: RFC3339
        accounts:
        - 101-001-1234567-001
        - 101-001-1234567-002
        active_account: 101-001-1234567-001
        '''),
        ("oanda", v20),
    )

    tpqoa = g.oanda()
    w.file("config/oanda.cfg", f"[oanda]\naccount_id = 101-004-1234567-001\naccess_token = {tpqoa}\naccount_type = practice\n", ("oanda", tpqoa))

    keys = {name: value for name, value in (
        ("bk", g.alnum(64)), ("bs", g.alnum(64)), ("kk", g.b64(42)), ("ks", g.b64(64)),
        ("ck", g.hex(32)), ("cs", g.b64(64)), ("cp", g.passphrase()),
    )}
    exchanges = {
        "binance": {"apiKey": keys["bk"], "secret": keys["bs"], "enableRateLimit": True},
        "kraken": {"apiKey": keys["kk"], "secret": keys["ks"]},
        "coinbase": {"apiKey": keys["ck"], "secret": keys["cs"], "password": keys["cp"]},
        "options": {"defaultType": "spot", "adjustForTimeDifference": True},
    }
    w.file(
        "config/exchanges.json", json.dumps(exchanges, indent=2) + "\n",
        ("binance", keys["bk"]), ("binance", keys["bs"]), ("kraken", keys["kk"]), ("kraken", keys["ks"]),
        ("coinbase", keys["ck"]), ("coinbase", keys["cs"]), ("coinbase", keys["cp"]),
    )

    apca, apca_secret = g.alpaca_id(), g.alnum(40)
    w.file("config/alpaca.json", json.dumps({"key_id": apca, "secret_key": apca_secret, "base_url": "https://paper-api.alpaca.markets"}, indent=2) + "\n",
           ("alpaca", apca), ("alpaca", apca_secret))

    discord, teams2, slack2 = g.discord_webhook(), g.teams_webhook(), g.slack_webhook()
    w.file("config/alerts.json", json.dumps({"discord": discord, "teams": teams2, "slack": {"url": slack2, "channel": "#fills"}}, indent=2) + "\n",
           ("webhook", discord), ("webhook", teams2), ("webhook", slack2))

    kk, ks, pk = g.b64(42), g.b64(64), g.alnum(32)
    w.file("config/bot.toml", textwrap.dedent(f'''\
        [bot]
        name = "mean-reversion"
        version = "1.4.2"

        [kraken]
        api_key = "{kk}"
        private_key = "{ks}"

        [polygon]
        api_key = "{pk}"
        '''),
        ("kraken", kk), ("kraken", ks), ("polygon", pk),
    )

    ib_pw, fix_pw = g.password(), g.password()
    w.file("ibc/config.ini", textwrap.dedent(f'''\
        # IBC settings for the paper gateway
        IbLoginId=traderjoe
        IbPassword={ib_pw}
        FIXLoginId=traderjoefix
        FIXPassword={fix_pw}
        PasswordEncrypted=no
        TradingMode=paper
        AcceptIncomingConnectionAction=reject
        ExistingSessionDetectedAction=primary
        '''),
        ("ibkr", ib_pw), ("ibkr", fix_pw),
    )
    w.file("ibc/config.sample.ini", "IbLoginId=edemo\nIbPassword=demouser\nTradingMode=paper\n")


def _shell_docker(w: _Writer, g: Generator) -> None:
    oanda, tws, polygon, cb_secret = g.oanda(), g.password(), g.alnum(32), g.b64(64)
    w.file("scripts/run_bot.sh", textwrap.dedent(f'''\
        #!/usr/bin/env bash
        set -euo pipefail
        export OANDA_TOKEN={oanda}
        export TWS_PASSWORD='{tws}'
        export CB_API_SECRET="{cb_secret}"
        export BINANCE_API_KEY="$BINANCE_KEY_FROM_VAULT"
        curl -s -H "Authorization: Bearer $OANDA_TOKEN" https://api-fxpractice.oanda.com/v3/accounts
        curl -s "https://api.polygon.io/v2/aggs/ticker/AAPL/prev?adjusted=true&apiKey={polygon}"
        python -m bot --paper
        '''),
        ("oanda", oanda), ("ibkr", tws), ("polygon", polygon), ("coinbase", cb_secret),
    )

    oanda2, tws2, pip_pw = g.oanda(), g.password(), g.url_password()
    w.file("Dockerfile", textwrap.dedent(f'''\
        FROM python:3.11-slim
        ARG PIP_INDEX_URL=https://deploy:{pip_pw}@pypi.corp.internal/simple
        ENV OANDA_TOKEN={oanda2}
        ENV TWS_PASSWORD {tws2}
        ENV TWS_PASSWORD_FILE=/run/secrets/tws_password
        COPY . /app
        CMD ["python", "-m", "bot"]
        '''),
        ("url-password", pip_pw), ("oanda", oanda2), ("ibkr", tws2),
    )

    tws3, vnc, oanda3, apca, ibeam = g.password(), g.password(), g.oanda(), g.alnum(40), g.password()
    w.file("docker-compose.yml", textwrap.dedent(f'''\
        services:
          ib-gateway:
            image: ghcr.io/gnzsnz/ib-gateway@sha256:{g.chars("0123456789abcdef", 64)}
            environment:
              TWS_USERID: traderjoe
              TWS_PASSWORD: "{tws3}"
              TRADING_MODE: paper
              VNC_SERVER_PASSWORD: {vnc}
          bot:
            build: .
            environment:
              - OANDA_TOKEN={oanda3}
              - BINANCE_API_SECRET=${{BINANCE_API_SECRET}}
              - APCA_API_SECRET_KEY={apca}
          ibeam:
            image: voyz/ibeam
            environment:
              - IBEAM_ACCOUNT=traderjoe
              - IBEAM_PASSWORD={ibeam}
        '''),
        ("ibkr", tws3), ("password", vnc), ("oanda", oanda3), ("alpaca", apca), ("ibkr", ibeam),
    )

    w.file(".github/workflows/ci.yml", textwrap.dedent('''\
        name: ci
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            env:
              OANDA_TOKEN: ${{ secrets.OANDA_TOKEN }}
            steps:
              - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11
              - uses: docker/login-action@v3
                with:
                  username: traderjoe
                  password: ${{ secrets.DOCKERHUB_TOKEN }}
        '''))


def _kubernetes(w: _Writer, g: Generator) -> None:
    oanda, tws, bsecret, polygon = g.oanda(), g.password(), g.alnum(64), g.alnum(32)
    rsa = g.pem("RSA PRIVATE KEY", 600, b"\x30\x82\x04\xa4")
    encoded = {name: _b64(value) for name, value in (("oanda", oanda), ("tws", tws), ("binance", bsecret), ("tls", rsa))}
    w.file("deploy/k8s/secret.yaml", textwrap.dedent(f'''\
        apiVersion: v1
        kind: Secret
        metadata:
          name: trading-credentials
          namespace: bots
        type: Opaque
        data:
          oanda-token: {encoded["oanda"]}
          tws-password: {encoded["tws"]}
          binance-api-secret: "{encoded["binance"]}"
          username: {_b64("traderjoe")}
          tls.key: {encoded["tls"]}
        stringData:
          polygon-api-key: {polygon}
        '''),
        ("oanda", encoded["oanda"]), ("ibkr", encoded["tws"]), ("binance", encoded["binance"]),
        ("private-key", encoded["tls"]), ("polygon", polygon),
    )

    kraken = g.b64(64)
    w.file("deploy/k8s/deployment.yaml", textwrap.dedent(f'''\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: bot
        spec:
          template:
            spec:
              containers:
                - name: bot
                  image: registry.example/bot:1.4.2
                  env:
                    - name: OANDA_TOKEN
                      valueFrom:
                        secretKeyRef:
                          name: trading-credentials
                          key: oanda-token
                    - name: KRAKEN_API_SECRET
                      value: "{kraken}"
                    - name: LOG_LEVEL
                      value: info
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: bot-config
        data:
          symbols: EUR_USD,GBP_USD
          checksum: {_b64(g.chars("0123456789abcdef", 40))}
        '''),
        ("kraken", kraken),
    )


def _notebook(w: _Writer, g: Generator) -> None:
    oanda, apca = g.oanda(), g.alpaca_id()
    image = base64.b64encode(g.rng.randbytes(3000)).decode()
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": [
                "# Backtest\n", "Keys live in the environment; a PEM key starts with `-----BEGIN PRIVATE KEY-----`.",
            ]},
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
                {"name": "stdout", "output_type": "stream", "text": [f"Using Alpaca key {apca}\n"]},
            ], "source": [
                "import os\n", "import oandapyV20\n", "\n",
                f'client = oandapyV20.API(access_token="{oanda}")\n',
                'api_key = os.environ["POLYGON_API_KEY"]\n',
                'print("Using Alpaca key", os.environ["APCA_API_KEY_ID"])',
            ]},
            {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [
                {"data": {"image/png": image, "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
                 "metadata": {}, "output_type": "display_data"},
            ], "source": ["equity.plot()"]},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    w.file("research/backtest.ipynb", json.dumps(notebook, indent=1) + "\n", ("oanda", oanda), ("alpaca", apca))


def _keys(w: _Writer, g: Generator) -> None:
    w.file("keys/id_rsa", g.pem("OPENSSH PRIVATE KEY", 400, b"openssh-key-v1\x00"), ("private-key", "-----BEGIN OPENSSH"))
    w.file("keys/trading.pem", g.pem("RSA PRIVATE KEY", 1190, b"\x30\x82\x04\xa4"), ("private-key", "-----BEGIN RSA"))
    w.file("keys/ibkr/private_encryption.pem", g.pem("PRIVATE KEY", 1210, b"\x30\x82\x04\xbe"), ("private-key", "-----BEGIN PRIVATE"))

    pkcs8 = g.pem("PRIVATE KEY", 1210, b"\x30\x82\x04\xbe")
    service_account = {
        "type": "service_account", "project_id": "trading-research",
        "private_key_id": g.chars("0123456789abcdef", 40), "private_key": pkcs8,
        "client_email": "bot@trading-research.iam.gserviceaccount.com", "client_id": g.digits(21),
    }
    w.file("keys/gcp-service-account.json", json.dumps(service_account, indent=2) + "\n", ("private-key", '"private_key": '))

    cdp_pem = g.pem("EC PRIVATE KEY", 89, b"\x30\x77\x02\x01\x01\x04\x20")
    cdp = {"name": f"organizations/{g.uuid()}/apiKeys/{g.uuid()}", "privateKey": cdp_pem}
    w.file("keys/cdp_api_key.json", json.dumps(cdp, indent=2) + "\n", ("coinbase-cdp", '"privateKey": '))
    ed25519 = g.b64(64)
    w.file("keys/cdp_ed25519.json", json.dumps({"id": g.uuid(), "privateKey": ed25519}, indent=2) + "\n", ("coinbase-cdp", ed25519))

    public_body = base64.b64encode(b"\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01" + g.rng.randbytes(78)).decode()
    w.file("keys/public.pem", f"-----BEGIN PUBLIC KEY-----\n{public_body[:64]}\n{public_body[64:]}\n-----END PUBLIC KEY-----\n")
    cert = base64.b64encode(b"\x30\x82\x03\x1f" + g.rng.randbytes(700)).decode()
    w.file("certs/ca.crt", "-----BEGIN CERTIFICATE-----\n" + "\n".join(cert[i: i + 64] for i in range(0, len(cert), 64)) + "\n-----END CERTIFICATE-----\n")
    ed_public = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + g.rng.randbytes(32)).decode()
    w.file("keys/id_ed25519.pub", f"ssh-ed25519 {ed_public} trader@research\n")
    w.file("deploy/authorized_keys", f"ssh-ed25519 {ed_public} deploy@ci\n")


def _connection_strings_and_tool_configs(w: _Writer, g: Generator) -> None:
    dsn_pw, odbc_pw, basic_pw, smtp_pw = (g.password() for _ in range(4))
    mysql_pw = g.url_password()
    mbx, bearer, creds_key, creds_secret, jwt = g.alnum(64), g.alnum(40), g.alnum(32), g.b64(32), g.alnum(48)
    azure = g.b64(64)
    aws_id, aws_secret = g.aws_id(), g.aws_secret()
    w.file("bot/db.py", textwrap.dedent(f'''\
        import smtplib

        import boto3
        import psycopg2
        import requests
        from requests.auth import HTTPBasicAuth
        from sqlalchemy import create_engine

        TOKEN_TYPE = "Bearer"
        DEFAULT_PASSWORD_LENGTH = 16
        ADMIN_PASSWORD = "$2b$12${g.chars(string.ascii_letters + string.digits + "./", 53)}"
        JWT_SECRET = "{jwt}"
        CREDS = {{"api_key": "{creds_key}", "api_secret": "{creds_secret}"}}
        AZURE_STORAGE = "DefaultEndpointsProtocol=https;AccountName=ticks;AccountKey={azure};EndpointSuffix=core.windows.net"


        def connect():
            conn = psycopg2.connect("dbname=trading user=trader password={dsn_pw} host=db.internal")
            engine = create_engine("mysql+pymysql://bot:{mysql_pw}@mysql:3306/ticks")
            odbc = "Driver={{ODBC Driver 18}};Server=db;Uid=sa;Pwd={odbc_pw};"
            return conn, engine, odbc


        def fetch(url, username, password):
            session = requests.Session()
            session.auth = HTTPBasicAuth("traderjoe", "{basic_pw}")
            fallback = HTTPBasicAuth(username, password)
            requests.get(url, headers={{"X-MBX-APIKEY": "{mbx}"}})
            requests.get(url, headers={{"Authorization": "Bearer {bearer}"}})
            if password == "":
                raise ValueError("empty password")
            return session, fallback


        def archive(path):
            s3 = boto3.client("s3", aws_access_key_id="{aws_id}", aws_secret_access_key="{aws_secret}")
            s3.upload_file(path, "fills-archive", path)


        def alert(text):
            with smtplib.SMTP_SSL("smtp.trading.example") as smtp:
                smtp.login("alerts@trading.example", "{smtp_pw}")
                smtp.sendmail("alerts@trading.example", ["desk@trading.example"], text)
        '''),
        ("password", jwt), ("secret", creds_key), ("azure", azure), ("url-password", dsn_pw),
        ("url-password", mysql_pw), ("password", odbc_pw), ("password", basic_pw), ("binance", mbx),
        ("secret", bearer), ("password", smtp_pw), ("aws", aws_id),
    )

    ids = [g.aws_id() for _ in range(2)]
    secrets = [g.aws_secret() for _ in range(2)]
    w.file("deploy/aws/credentials", textwrap.dedent(f'''\
        [default]
        aws_access_key_id = {ids[0]}
        aws_secret_access_key = {secrets[0]}

        [research]
        aws_access_key_id={ids[1]}
        aws_secret_access_key={secrets[1]}
        region = us-east-1
        '''),
        *[("aws", value) for value in ids + secrets],
    )

    npm = "npm_" + g.alnum(36)
    w.file("web/.npmrc", f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={npm}\n", ("secret", npm))
    netrc_pw = g.password()
    w.file("deploy/netrc/.netrc", f"machine charts.trading.example login traderjoe password {netrc_pw}\n", ("password", netrc_pw))

    telegram, github, google = g.telegram(), g.github(), g.google()
    w.file("config/notify.yaml", textwrap.dedent(f'''\
        telegram:
          bot_token: "{telegram}"
          chat_id: -1001234567890
        github_token: {github}
        maps:
          google_api_key: {google}
        '''),
        ("telegram", telegram), ("github", github), ("google", google),
    )

    w.file("web/locales/de.json", json.dumps({
        "password": "Passwort", "forgot_password": "Passwort vergessen?", "api_key_hint": "Ihr API-Schlüssel",
        "token": "Token", "secret_question": "Geheimfrage",
    }, indent=2, ensure_ascii=False) + "\n")
    w.file("docs/openapi.yaml", textwrap.dedent('''\
        openapi: 3.0.3
        components:
          securitySchemes:
            api_key:
              type: apiKey
              name: X-API-KEY
              in: header
            bearer_token:
              type: http
              scheme: bearer
        '''))
    w.file("docs/binance-signing.md", textwrap.dedent('''\
        # Signing a request (from the Binance API documentation)

        | Key | Value |
        | --- | --- |
        | apiKey | vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A |
        | secretKey | NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j |

        ```shell
        echo -n "symbol=LTCBTC&side=BUY" | openssl dgst -sha256 -hmac "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
        curl -H "X-MBX-APIKEY: vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A" -X POST "https://api.binance.com/api/v3/order"
        ```
        '''))


def _docs_and_bait(w: _Writer, g: Generator) -> None:
    leaked = g.b64(42)
    image = base64.b64encode(g.rng.randbytes(600)).decode()
    w.file("docs/setup.md", textwrap.dedent(f'''\
        # Setting up

        Put your OANDA token in `.env` as `OANDA_TOKEN=<your token>`, never in code.
        Paste your key between `-----BEGIN PRIVATE KEY-----` and `-----END PRIVATE KEY-----`.

        ```bash
        export POLYGON_API_KEY=your_polygon_key
        export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
        export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
        ```

        The keys we used for the demo (rotate them!):

        ```bash
        export KRAKEN_API_KEY={leaked}
        ```

        ![equity curve](data:image/png;base64,{image})

        The password: is the one from the vault, see the runbook.
        '''),
        ("kraken", leaked),
    )

    hexes = [g.chars("0123456789abcdef", 64) for _ in range(4)]
    w.file("poetry.lock", textwrap.dedent(f'''\
        [[package]]
        name = "oandapyv20"
        version = "0.7.2"
        files = [
            {{file = "oandapyV20-0.7.2-py3-none-any.whl", hash = "sha256:{hexes[0]}"}},
            {{file = "oandapyV20-0.7.2.tar.gz", hash = "sha256:{hexes[1]}"}},
        ]

        [metadata]
        lock-version = "2.0"
        python-versions = "^3.11"
        content-hash = "{hexes[2]}"
        '''))
    integrity = base64.b64encode(g.rng.randbytes(64)).decode()
    w.file("web/package-lock.json", json.dumps({
        "name": "dashboard", "lockfileVersion": 3,
        "packages": {"node_modules/chart.js": {"version": "4.4.1", "resolved": "https://registry.npmjs.org/chart.js/-/chart.js-4.4.1.tgz", "integrity": f"sha512-{integrity}"}},
    }, indent=2) + "\n")
    w.file("requirements.txt", f"oandapyV20==0.7.2 \\\n    --hash=sha256:{hexes[3]}\nalpaca-py==0.21.0\n")
    w.file(".pre-commit-config.yaml", textwrap.dedent(f'''\
        repos:
          - repo: https://github.com/pre-commit/pre-commit-hooks
            rev: {g.chars("0123456789abcdef", 40)}
            hooks:
              - id: check-yaml
          - repo: https://github.com/Yelp/detect-secrets
            rev: v1.5.0
            hooks:
              - id: detect-secrets
                args: ["--baseline", ".secrets.baseline"]
        '''))
    w.file("CHANGELOG.md", textwrap.dedent(f'''\
        # Changelog

        ## 1.4.2
        - Fix order rounding (commit {g.chars("0123456789abcdef", 40)}).
        - Reconnect token refresh for OANDA streams; request id {g.uuid()}.
        '''))
    w.file("config/logging.yaml", textwrap.dedent('''\
        version: 1
        handlers:
          audit:
            class: logging.FileHandler
            filename: logs/audit.jsonl
        secret_redaction:
          keys: [api_key, api_secret, password, token]
        '''))


# -- scoring ------------------------------------------------------------------------------------


@dataclass
class Quality:
    """A scanner's score on the corpus, counted by line: a labeled line is found when anything
    is reported on it; a reported line with no label is a false positive."""

    tool: str
    labels: list[Label]
    reported: set[tuple[str, int]]
    seconds: float

    @property
    def labeled_lines(self) -> set[tuple[str, int]]:
        return {(label.path, label.line) for label in self.labels}

    @property
    def missed(self) -> list[Label]:
        return [label for label in self.labels if (label.path, label.line) not in self.reported]

    @property
    def false_positives(self) -> list[tuple[str, int]]:
        return sorted(self.reported - self.labeled_lines)

    @property
    def recall(self) -> float:
        labeled = self.labeled_lines
        return len(labeled & self.reported) / len(labeled)

    @property
    def precision(self) -> float:
        return len(self.reported & self.labeled_lines) / len(self.reported) if self.reported else 1.0

    def recall_by_kind(self) -> dict[str, tuple[int, int]]:
        by_kind: dict[str, tuple[int, int]] = {}
        for label in self.labels:
            found, total = by_kind.get(label.kind, (0, 0))
            by_kind[label.kind] = (found + ((label.path, label.line) in self.reported), total + 1)
        return dict(sorted(by_kind.items()))


def _run(command: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    import time

    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": "0"})
    return done, time.perf_counter() - started


def measure_tradeguard(corpus: Corpus) -> Quality:
    done, seconds = _run([str(_BIN / "tradeguard"), "secrets", "--format", "json", "."], corpus.root)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"tradeguard secrets exited {done.returncode}: {done.stderr.strip()}")
    reported = {(row["path"], row["line"]) for row in json.loads(done.stdout)}
    return Quality("tradeguard secrets", corpus.labels, reported, seconds)


def measure_detect_secrets(corpus: Corpus) -> Quality:
    """Stock `detect-secrets scan` as a new user runs it (every plugin, default filters)."""
    done, seconds = _run([str(_BIN / "detect-secrets"), "scan", "--all-files", "."], corpus.root)
    if done.returncode != 0:
        raise RuntimeError(f"detect-secrets scan exited {done.returncode}: {done.stderr.strip()}")
    results = json.loads(done.stdout)["results"]
    reported = {(path.replace(os.sep, "/"), entry["line_number"]) for path, entries in results.items() for entry in entries}
    return Quality("detect-secrets scan", corpus.labels, reported, seconds)


def table(qualities: list[Quality]) -> str:
    """Both scanners side by side: totals, then recall per kind of credential."""
    rows = [f"{'':24}" + "".join(f"{quality.tool:>22}" for quality in qualities)]
    for title, value in (
        ("recall", lambda q: f"{q.recall:.3f}"),
        ("precision", lambda q: f"{q.precision:.3f}"),
        ("labeled lines found", lambda q: f"{len(q.labeled_lines & q.reported)}/{len(q.labeled_lines)}"),
        ("false positive lines", lambda q: str(len(q.false_positives))),
        ("seconds", lambda q: f"{q.seconds:.2f}"),
    ):
        rows.append(f"{title:24}" + "".join(f"{value(quality):>22}" for quality in qualities))
    rows.append("recall by kind:")
    kinds = qualities[0].recall_by_kind()
    for kind in kinds:
        cells = []
        for quality in qualities:
            found, total = quality.recall_by_kind()[kind]
            cells.append(f"{found}/{total}")
        rows.append(f"  {kind:22}" + "".join(f"{cell:>22}" for cell in cells))
    return "\n".join(rows)
