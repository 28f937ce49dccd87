"""What tradeguard detects: one detector per credential kind, broker and exchange first.

Each detector has a `secret_type`, lower-case `triggers` (one must occur in a text for it to
run) and `find(scope)`, which yields spans over the whole text, so findings carry real
columns and a private key's body on the next line, or a Kubernetes ``- name:``/``value:`` pair,
can be judged. `hooks.secrets.plugins` wraps each one as a detect-secrets plugin; this module
imports nothing of detect-secrets, so scans that meet no secret never load it.

No detector verifies anything over the network.

`DETECTORS` is ordered by priority: when two detectors report overlapping spans, the earlier
one names the finding (an OANDA token assigned to `api_key` is an "OANDA v20 Token", not a
"Hard-coded Credential").

Secret types differ from detect-secrets' own (its registry is keyed by type, and a clash would
evict a stock plugin when both are loaded). Baselines still match across tools: entries are
matched by file and hash, not by type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from hooks.secrets.syntax import Scope, credential_literals


@dataclass(frozen=True, slots=True)
class Match:
    """Where a detector found a secret. The value is kept out of `repr` so it never reaches a log."""

    start: int
    end: int
    value: str = field(repr=False)
    secret_type: str
    name: str = ""


class Detector:
    """Finds one kind of credential in a whole text."""

    secret_type: str
    # Lower-case substrings one of which the text must hold for the detector to run at all.
    triggers: tuple[str, ...] = ()

    def runs_on(self, scope: Scope) -> bool:
        return not self.triggers or any(trigger in scope.lowered for trigger in self.triggers)

    def find(self, scope: Scope) -> Iterator[Match]:
        raise NotImplementedError


class RegexDetector(Detector):
    """detect-secrets' regex plugin shape: the secret is group ``secret`` if present, else the match."""

    denylist: tuple[re.Pattern[str], ...] = ()

    def accepts(self, value: str) -> bool:
        return True

    def find(self, scope: Scope) -> Iterator[Match]:
        for regex in self.denylist:
            group = "secret" if "secret" in regex.groupindex else 0
            for found in regex.finditer(scope.text):
                value = found.group(group)
                if self.accepts(value):
                    yield Match(found.start(group), found.end(group), value, self.secret_type)


# -- private keys -------------------------------------------------------------------------------

_PEM_HEADER_RE = re.compile(
    r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----"
)
# What may sit between the header and the base64 body: newlines (real, or `\n` escapes inside
# a JSON or Python string), quotes and `+` of string concatenation, and PEM header fields
# (`Proc-Type: 4,ENCRYPTED`). A header followed by anything else is a mention, not a key.
_PEM_BODY_RE = re.compile(
    r"""(?:\\[nr]|\s|["',+]|[A-Za-z][A-Za-z-]{0,40}:[^\n\\]{0,200}(?:\\n|\n)){0,80}?(?P<body>[A-Za-z0-9+/=]{40,})"""
)
_PUTTY_RE = re.compile(r"PuTTY-User-Key-File-\d")


def private_key_blocks(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, marker) of each private key that has a body, not mere header mentions.

    The marker (``BEGIN RSA PRIVATE KEY``) is the secret detect-secrets records for a
    private key, so its baselines keep matching.
    """
    for header in _PEM_HEADER_RE.finditer(text):
        body = _PEM_BODY_RE.match(text, header.end())
        if body is not None and body.start("body") - header.end() < 400:
            yield header.start(), body.end("body"), "BEGIN " + header.group(1)
    for header in _PUTTY_RE.finditer(text):
        if "Private-Lines:" in text[header.end(): header.end() + 3000]:
            yield header.start(), header.end(), header.group(0)


class PemPrivateKeyDetector(Detector):
    """PEM and OpenSSH private keys, PuTTY key files; also inside JSON strings (`\\n` escapes)."""

    secret_type = "PEM Private Key"
    triggers = ("private key", "putty-user-key-file")

    def find(self, scope: Scope) -> Iterator[Match]:
        for start, end, marker in private_key_blocks(scope.text):
            yield Match(start, end, marker, self.secret_type)


_CDP_KEY_NAME_RE = re.compile(r"organizations/[0-9a-fA-F-]{36}/apiKeys/[0-9a-fA-F-]{36}")
_PRIVATE_SEGMENTS = frozenset({"private", "privatekey", "secret", "apisecret"})


class CoinbaseCdpKeyDetector(Detector):
    """A Coinbase Developer Platform key: its private key (EC PEM or Ed25519 base64) in a text
    that also names the key (``organizations/{org}/apiKeys/{id}``)."""

    secret_type = "Coinbase CDP API Key"
    triggers = ("apikeys/",)

    def find(self, scope: Scope) -> Iterator[Match]:
        if _CDP_KEY_NAME_RE.search(scope.text) is None:
            return
        for start, end, marker in private_key_blocks(scope.text):
            yield Match(start, end, marker, self.secret_type)
        for assignment in scope.assignments:
            if _PRIVATE_SEGMENTS.intersection(assignment.segments):
                yield Match(assignment.start, assignment.end, assignment.value, self.secret_type, assignment.name)


# -- broker and exchange credentials ------------------------------------------------------------


class VenueDetector(RegexDetector):
    """One venue's credentials: its token shapes (`denylist`), values assigned to names that
    mention the venue (`BINANCE_API_SECRET=...`, `IbPassword=...`), and literals passed
    positionally to its SDK's client classes in files that import the SDK."""

    venue_words: frozenset[str] = frozenset()
    client_classes: frozenset[str] = frozenset()
    sdk_modules: frozenset[str] = frozenset()

    def names_venue(self, segments: tuple[str, ...]) -> bool:
        return any(
            segment in self.venue_words or any(len(word) >= 5 and segment.startswith(word) for word in self.venue_words)
            for segment in segments
        )

    def find(self, scope: Scope) -> Iterator[Match]:
        yield from super().find(scope)
        for assignment in scope.assignments:
            if self.names_venue(assignment.segments):
                yield Match(assignment.start, assignment.end, assignment.value, self.secret_type, assignment.name)
        if self.client_classes and scope.imports & self.sdk_modules:
            for call in scope.client_calls:
                if call.cls in self.client_classes:
                    for literal in credential_literals(call):
                        yield Match(literal.start, literal.end, literal.value, self.secret_type, f"{call.cls}()")


class OandaTokenDetector(VenueDetector):
    """OANDA v20 personal access tokens: 32 hex, a dash, 32 hex (in any config or code)."""

    secret_type = "OANDA v20 Token"
    denylist = (re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32}-[0-9a-fA-F]{32}(?![0-9A-Za-z-])"),)
    venue_words = frozenset({"oanda"})


class AwsCredentialDetector(VenueDetector):
    """AWS access key ids (AKIA..., ASIA...) and secret access keys assigned to `aws_*` names."""

    secret_type = "AWS Credential"
    triggers = ("akia", "asia", "abia", "acca", "a3t", "aws")
    denylist = (re.compile(r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])"),)
    venue_words = frozenset({"aws"})


class AlpacaKeyDetector(VenueDetector):
    """Alpaca key ids (PK... paper, AK... live) and secrets: `APCA_API_SECRET_KEY`, `REST("k", "s")`."""

    secret_type = "Alpaca API Key"
    denylist = (re.compile(r"(?<![0-9A-Za-z])[AP]K[0-9A-Z]{18}(?![0-9A-Za-z])"),)
    venue_words = frozenset({"alpaca", "apca"})
    client_classes = frozenset({
        "REST", "TradingClient", "StockHistoricalDataClient", "CryptoHistoricalDataClient",
        "OptionHistoricalDataClient", "StockDataStream", "CryptoDataStream", "TradingStream", "Stream",
    })
    sdk_modules = frozenset({"alpaca", "alpaca_trade_api"})

    def accepts(self, value: str) -> bool:
        # A key id mixes letters and digits; an 18-letter constant after `PK` is a word.
        tail = value[2:]
        return sum(char.isdigit() for char in tail) >= 2 and sum(char.isalpha() for char in tail) >= 2


class CoinbaseKeyDetector(VenueDetector):
    """Coinbase legacy (Exchange/Pro) key, secret and passphrase; `AuthenticatedClient("k", "s", "p")`."""

    secret_type = "Coinbase API Key"
    triggers = ("coinbase", "cbpro", "gdax", "cb_", "cb-", "cdp")
    venue_words = frozenset({"coinbase", "cbpro", "gdax", "cb", "cdp"})
    client_classes = frozenset({"AuthenticatedClient", "Client", "RESTClient", "WSClient"})
    sdk_modules = frozenset({"cbpro", "coinbase", "coinbasepro"})


class IbkrCredentialDetector(VenueDetector):
    """Interactive Brokers logins: IBC `config.ini` (`IbPassword`, `FIXPassword`), gateway
    containers (`TWS_PASSWORD`, `IBEAM_PASSWORD`) and Web API OAuth tokens (`IBIND_OAUTH1A_*`)."""

    secret_type = "IBKR Credential"
    triggers = ("ibkr", "tws", "ibeam", "ibind", "ib_", "ib-", "ibpassword", "fixpassword", "ibgateway", "ibc")
    venue_words = frozenset({"ib", "ibkr", "tws", "ibc", "ibeam", "ibind", "ibgateway", "fix"})


class BinanceKeyDetector(VenueDetector):
    """Binance API key and secret: `BINANCE_API_SECRET=...`, `Client("k", "s")` with `binance` imported."""

    secret_type = "Binance API Key"
    triggers = ("binance",)
    venue_words = frozenset({"binance"})
    client_classes = frozenset({"Client", "AsyncClient", "Spot", "UMFutures", "CMFutures"})
    sdk_modules = frozenset({"binance"})


class KrakenKeyDetector(VenueDetector):
    """Kraken API key and private key: `KRAKEN_PRIVATE_KEY=...`, `krakenex.API("k", "s")`."""

    secret_type = "Kraken API Key"
    triggers = ("kraken",)
    venue_words = frozenset({"kraken"})
    client_classes = frozenset({"API", "KrakenAPI"})
    sdk_modules = frozenset({"krakenex", "pykrakenapi", "kraken"})


class PolygonKeyDetector(VenueDetector):
    """Polygon.io API keys: `POLYGON_API_KEY=...`, `RESTClient("k")`, `?apiKey=` on api.polygon.io."""

    secret_type = "Polygon API Key"
    triggers = ("polygon",)
    denylist = (
        re.compile(r"api\.polygon\.io/[^\s\"'?]{0,300}\?(?:[^\s\"'#]{0,300}&)?apiKey=(?P<secret>[A-Za-z0-9_]{20,64})"),
    )
    venue_words = frozenset({"polygon"})
    client_classes = frozenset({"RESTClient", "WebSocketClient"})
    sdk_modules = frozenset({"polygon"})


# -- generic kinds ------------------------------------------------------------------------------


class SlackApiTokenDetector(RegexDetector):
    secret_type = "Slack API Token"
    triggers = ("xox",)
    denylist = (re.compile(r"(?<![0-9A-Za-z])xox[abposr]-[0-9A-Za-z-]{10,250}"),)


class GitHubAccessTokenDetector(RegexDetector):
    secret_type = "GitHub Access Token"
    triggers = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
    denylist = (re.compile(r"(?<![0-9A-Za-z])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![0-9A-Za-z])"),)


class GoogleApiKeyDetector(RegexDetector):
    secret_type = "Google API Key"
    triggers = ("aiza",)
    denylist = (re.compile(r"(?<![0-9A-Za-z])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),)


class TelegramBotApiTokenDetector(RegexDetector):
    """Telegram bot tokens, common in trading bots' alerting."""

    secret_type = "Telegram Bot API Token"
    triggers = (":aa",)
    denylist = (re.compile(r"(?<!\d)\d{8,10}:AA[0-9A-Za-z_-]{33}(?![0-9A-Za-z_-])"),)


class SlackWebhookDetector(RegexDetector):
    secret_type = "Slack Webhook"
    triggers = ("hooks.slack.com",)
    denylist = (re.compile(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,200}"),)


class DiscordWebhookDetector(RegexDetector):
    secret_type = "Discord Webhook"
    triggers = ("discord",)
    denylist = (re.compile(r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{15,20}/[A-Za-z0-9_-]{60,80}"),)


class TeamsWebhookDetector(RegexDetector):
    """Microsoft Teams incoming webhooks (Office 365 connectors and Workflows URLs)."""

    secret_type = "Microsoft Teams Webhook"
    triggers = ("webhook.office.com", "logic.azure.com")
    denylist = (
        re.compile(
            r"https://[A-Za-z0-9-]{1,60}\.webhook\.office\.com/webhookb2/[0-9a-fA-F-]{36}@[0-9a-fA-F-]{36}"
            r"/IncomingWebhook/[0-9a-fA-F]{32}/[0-9a-fA-F-]{36}(?:/[A-Za-z0-9_-]{10,80})?"
        ),
        re.compile(
            r"https://[A-Za-z0-9.-]{1,100}\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/[^\s\"']{0,300}"
            r"sig=[A-Za-z0-9_-]{20,80}"
        ),
    )


# Hosts reserved for documentation (RFC 2606, RFC 6761): a URL to them is an example.
_EXAMPLE_HOST_RE = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|invalid|test)$", re.IGNORECASE)


class PasswordInUrlDetector(RegexDetector):
    """A password inside a URL: ``postgres://trader:hunter2@db/...``."""

    secret_type = "Password in URL"
    triggers = ("://",)
    denylist = (
        re.compile(
            # Quotes, brackets, braces and backslashes end a URL in code; without them a regex
            # written to match URLs (this one) would match itself.
            r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://(?P<user>[^:/\s@'\"`<>{}\[\]\\$]{0,100}):"
            r"(?P<secret>[^/\s@'\"`<>{}\[\]\\]{1,200})@(?P<host>[A-Za-z0-9.-]{1,200})"
        ),
    )

    def find(self, scope: Scope) -> Iterator[Match]:
        for found in self.denylist[0].finditer(scope.text):
            password = found.group("secret")
            if password != found.group("user") and not _EXAMPLE_HOST_RE.search(found.group("host")):
                yield Match(found.start("secret"), found.end("secret"), password, self.secret_type)


class ClientArgumentDetector(Detector):
    """Keys passed positionally to a client constructor of an SDK not recognised from the imports."""

    secret_type = "Client Credential Argument"
    triggers = ("client", "rest", "api", "spot", "futures", "stream", "auth", "login")

    def find(self, scope: Scope) -> Iterator[Match]:
        for call in scope.client_calls:
            for literal in credential_literals(call):
                yield Match(literal.start, literal.end, literal.value, self.secret_type, f"{call.cls}()")


class CredentialNameDetector(Detector):
    """A literal assigned to a credential name (`password`, `api_key`, `secret`, `token`, ...)
    in any syntax; the name's venue, if any, was claimed by a venue detector first."""

    secret_type = "Hard-coded Credential"

    def find(self, scope: Scope) -> Iterator[Match]:
        for assignment in scope.assignments:
            yield Match(assignment.start, assignment.end, assignment.value, self.secret_type, assignment.name)


DETECTORS: tuple[Detector, ...] = tuple(
    detector()
    for detector in (
        CoinbaseCdpKeyDetector,
        PemPrivateKeyDetector,
        OandaTokenDetector,
        AwsCredentialDetector,
        AlpacaKeyDetector,
        SlackApiTokenDetector,
        GitHubAccessTokenDetector,
        GoogleApiKeyDetector,
        TelegramBotApiTokenDetector,
        SlackWebhookDetector,
        DiscordWebhookDetector,
        TeamsWebhookDetector,
        CoinbaseKeyDetector,
        IbkrCredentialDetector,
        BinanceKeyDetector,
        KrakenKeyDetector,
        PolygonKeyDetector,
        PasswordInUrlDetector,
        ClientArgumentDetector,
        CredentialNameDetector,
    )
)
