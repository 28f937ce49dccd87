"""What tradeguard detects: one detector per row of `hooks.secrets.providers.PROVIDERS`.

Each detector has a `secret_type`, and `find(scope)`, which yields spans over the whole text, so
findings carry real columns and a private key's body on the next line, or a Kubernetes
``- name:``/``value:`` pair, can be judged. A row's shape picks its class: token formats
(`TokenDetector`, tried where a run of token characters starts with the row's prefix), searched
patterns (`PatternDetector`, when the text holds a trigger), or a class of its own named by the
row. Rows known only by their names are typed through `CredentialNameDetector` and
`ClientArgumentDetector`. `hooks.secrets.plugins` wraps each detector as a detect-secrets plugin;
this module imports nothing of detect-secrets.

No detector verifies anything over the network. `DETECTORS` is in the table's order, which is
the priority: when two detectors report overlapping spans, the earlier one names the finding.

Secret types differ from detect-secrets' own (its registry is keyed by type, and a clash would
evict a stock plugin when both are loaded). Baselines still match across tools: entries are
matched by file and hash, not by type.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property

from hooks.secrets.providers import PROVIDERS, Provider, provider_names
from hooks.secrets.syntax import Scope, credential_literals, looks_random, plausible_password


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

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.secret_type = provider.secret_type
        self.name = provider.name
        self.triggers = provider.triggers

    def runs_on(self, scope: Scope) -> bool:
        return not self.triggers or not scope.triggers_present.isdisjoint(self.triggers)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The row's pattern, compiled when first used: a one-file run compiles only what it needs."""
        return re.compile(self.provider.pattern)

    def find(self, scope: Scope) -> Iterator[Match]:
        return iter(())

    def _match(self, start: int, end: int, value: str, name: str = "") -> Match:
        return Match(start, end, value, self.secret_type, name)


class TokenDetector(Detector):
    """A token format with a literal prefix (`sk_live_`, `ghp_`, `glpat-`), tried only where a run
    of token characters starts with it: one scan of the text serves every format."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(provider)
        self.prefixes = provider.prefixes
        self.heads = frozenset(prefix[:2] for prefix in provider.prefixes)

    def runs_on(self, scope: Scope) -> bool:
        return not self.heads.isdisjoint(scope.run_heads)

    def accepts(self, value: str) -> bool:
        return True

    def find(self, scope: Scope) -> Iterator[Match]:
        runs = scope.runs_by_head
        for start, run in (found for head in self.heads for found in runs.get(head, ())):
            if run.startswith(self.prefixes):
                found = self.regex.match(scope.text, start)
                if found is not None and self.accepts(found.group()):
                    yield self._match(start, found.end(), found.group())


class MixedTokenDetector(TokenDetector):
    """A format with a short prefix (Alpaca's `PK`, JFrog's `AP`): a key mixes letters and digits
    after it, where an upper-case constant (`PKCS...`, `APACHE...`) is a word."""

    def accepts(self, value: str) -> bool:
        tail = value[2:]
        return sum(char.isdigit() for char in tail) >= 2 and sum(char.isalpha() for char in tail) >= 2


class PatternDetector(Detector):
    """A pattern searched in texts holding one of its triggers; the secret is the first named
    group that matched (but a `name...` one), or the whole match. A `name...` group is the
    credential name or word the secret is given to (`providers.named`, `providers.near`),
    reported and judged as such."""

    def find(self, scope: Scope) -> Iterator[Match]:
        for found in self.regex.finditer(scope.text):
            matched = [(group, value) for group, value in found.groupdict().items() if value is not None]
            group = next((group for group, _ in matched if not group.startswith("name")), 0)
            name = next((value for group, value in matched if group.startswith("name")), "")
            if self.accepts(found.group(group)):
                yield self._match(found.start(group), found.end(group), found.group(group), name)

    def accepts(self, value: str) -> bool:
        return True


class NearbyKeyDetector(PatternDetector):
    """A key of the provider's shape near its word (`providers.near`): with no credential name to
    say what it is, it must look machine-made too."""

    def accepts(self, value: str) -> bool:
        return looks_random(value)


class MailchimpKeyDetector(Detector):
    """32 hex and a data centre (`-us12`): found from the literal `-us`, the hex read backwards."""

    _SUFFIX = re.compile(r"-us\d{1,2}(?![0-9A-Za-z])")
    _HEX = frozenset("0123456789abcdef")

    def find(self, scope: Scope) -> Iterator[Match]:
        text = scope.text
        for found in self._SUFFIX.finditer(text):
            start = found.start() - 32
            if start >= 0 and self._HEX.issuperset(text[start: found.start()]) and (start == 0 or text[start - 1] not in _HEX_ANY):
                yield self._match(start, found.end(), text[start: found.end()])


_HEX_ANY = frozenset("0123456789abcdefABCDEF")


class OandaTokenDetector(Detector):
    """OANDA v20 personal access tokens: 32 hex, a dash, 32 hex (in any config or code)."""

    _SHAPE = re.compile(r"[0-9a-fA-F]{32}-[0-9a-fA-F]{32}(?![0-9A-Za-z-])")

    def runs_on(self, scope: Scope) -> bool:
        return bool(scope.oanda_runs)

    def find(self, scope: Scope) -> Iterator[Match]:
        for start in scope.oanda_runs:
            found = self._SHAPE.match(scope.text, start)
            if found is not None:
                yield self._match(start, found.end(), found.group())


class JwtDetector(TokenDetector):
    """A signed JSON Web Token: three base64url parts whose header decodes to JSON naming an algorithm."""

    def __init__(self, provider: Provider) -> None:
        provider_pattern = r"eyJ[A-Za-z0-9_-]{8,}={0,2}\.eyJ[A-Za-z0-9_-]{8,}={0,2}\.[A-Za-z0-9_-]{0,}={0,2}"
        super().__init__(Provider(**{**_fields(provider), "pattern": provider_pattern}))

    def accepts(self, value: str) -> bool:
        """The header opens a JSON object naming its algorithm or type, the payload opens a JSON
        object, and it is signed (only `alg: none` goes unsigned). Bytes are read leniently: a
        token damaged in a log is still a token."""
        header, payload, signature = value.split(".")[:3]
        opened = _b64url(header)
        if not opened.startswith(b'{"') or not _b64url(payload).startswith(b"{"):
            return False
        if b"alg" not in opened and b"typ" not in opened:
            return False
        return len(signature) >= 16 or b"none" in opened.lower()


class DiscordTokenDetector(TokenDetector):
    """A Discord bot token: its first part is the bot's id (a 17-20 digit snowflake) in base64,
    which no random run of the same shape is."""

    def accepts(self, value: str) -> bool:
        bot_id = _b64url(value.split(".", 1)[0])
        return 17 <= len(bot_id) <= 20 and bot_id.isdigit()


def _b64url(part: str) -> bytes:
    part = part.rstrip("=")
    if len(part) % 4 == 1:
        part = part[:-1]
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (ValueError, binascii.Error):
        return b""


def _fields(provider: Provider) -> dict:
    return {name: getattr(provider, name) for name in Provider.__slots__}


# -- private keys -------------------------------------------------------------------------------

_PEM_HEADER_RE = re.compile(
    r"-----BEGIN ((?:RSA |EC |ECDSA |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----"
)
# What may sit between the header and the base64 body: newlines (real, or `\n` escapes inside a
# JSON or Python string, or `\\n` inside a JSON string embedded in another string), quotes and
# `+` of string concatenation, and PEM header fields (`Proc-Type: 4,ENCRYPTED`). A header
# followed by anything else is a mention, not a key.
_PEM_BODY_RE = re.compile(
    r"""(?:\\{1,3}[nr]|\s|["',+]|[A-Za-z][A-Za-z-]{0,40}:[^\n\\]{0,200}(?:\\{1,3}n|\n)){0,80}?(?P<body>[A-Za-z0-9+/=]{40,})"""
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
    def find(self, scope: Scope) -> Iterator[Match]:
        for start, end, marker in private_key_blocks(scope.text):
            yield self._match(start, end, marker)


_CDP_KEY_NAME_RE = re.compile(r"organizations/[0-9a-fA-F-]{36}/apiKeys/[0-9a-fA-F-]{36}")
_PRIVATE_SEGMENTS = frozenset({"private", "privatekey", "secret", "apisecret"})


class CoinbaseCdpKeyDetector(Detector):
    def find(self, scope: Scope) -> Iterator[Match]:
        if _CDP_KEY_NAME_RE.search(scope.text) is None:
            return
        for start, end, marker in private_key_blocks(scope.text):
            yield self._match(start, end, marker)
        for assignment in scope.assignments:
            if _PRIVATE_SEGMENTS.intersection(assignment.segments):
                yield self._match(assignment.start, assignment.end, assignment.value, assignment.name)


# -- URLs and command lines ---------------------------------------------------------------------

# Hosts reserved for documentation (RFC 2606, RFC 6761): a URL to them is an example.
_EXAMPLE_HOST_RE = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|invalid|test)$", re.IGNORECASE)
# Led by the literal `://` so the regex engine's fast literal scan finds candidates; quotes,
# brackets, braces and backslashes end a URL in code.
_URL_CREDENTIALS_RE = re.compile(
    r"://(?P<user>[^:/\s@'\"`<>{}\[\]\\$]{0,100}):(?P<secret>[^/\s@'\"`<>{}\[\]\\]{1,200})@(?P<host>[A-Za-z0-9.-]{1,200})"
)
# A scheme opens a word: `?ostgres://` (a character lost or mangled) names no scheme.
_SCHEME_BEFORE_RE = re.compile(r"(?<![A-Za-z0-9+.?!*^~%-])[A-Za-z][A-Za-z0-9+.-]{1,20}$")


class PasswordInUrlDetector(Detector):
    """A password inside a URL: ``postgres://trader:hunter2@db/...``, ``amqp://``, ``mongodb+srv://``."""

    def find(self, scope: Scope) -> Iterator[Match]:
        text = scope.text
        for found in _URL_CREDENTIALS_RE.finditer(text):
            if _SCHEME_BEFORE_RE.search(text, max(0, found.start() - 21), found.start()) is None:
                continue
            password = found.group("secret")
            if password != found.group("user") and not _EXAMPLE_HOST_RE.search(found.group("host")):
                yield self._match(found.start("secret"), found.end("secret"), password)


# `curl -u user:pw`, `--user user:pw`: led by the literal dash for a fast scan.
# The password may be quoted apart from the user: `-u admin:"pw"`, `-u "admin":'pw'`.
_USER_OPTION_RE = re.compile(
    r"-(?:u|-user)(?:[ \t]+|=)(?:(?P<user>\"[^\"\s:]{1,100}\"|'[^'\s:]{1,100}'|[^\s'\":]{1,100})"
    r":(?:\"(?P<pdq>[^\"\s]{1,200})\"|'(?P<psq>[^'\s]{1,200})')"
    r"|\"(?P<dq>[^\"\s]{1,200})\"|'(?P<sq>[^'\s]{1,200})'|(?P<bare>[^\s'\"]{1,200}))"
)
_SECRET_OPTION_RE = re.compile(
    r"-(?:-(?:password|passwd|pass|token|api-key|apikey|secret|auth-token|access-token|client-secret)(?:[ \t]+|=)"
    r"|p(?=[^\s-]))(?:\"(?P<dq>[^\"\n]{1,200})\"|'(?P<sq>[^'\n]{1,200})'|(?P<bare>[^\s'\"]{1,200}))"
)

# `curl -H "Authorization: Bearer T"`, `--header 'X-Api-Key: T'`: a header that carries a credential.
_HEADER_OPTION_RE = re.compile(r"-(?:H|-header)(?:[ \t]+|=)(?:\"(?P<dq>[^\"\n]{1,300})\"|'(?P<sq>[^'\n]{1,300})')")
_CREDENTIAL_HEADER_RE = re.compile(
    r"(?:authorization|proxy-authorization|(?:x-)?(?:[a-z]+-)?(?:api-?)?(?:key|token|secret))[ \t]*:[ \t]*"
    r"(?:(?:basic|bearer|token|api-token|digest)[ \t]+)?(?P<value>[\w=~@.+/-]{8,200})[ \t]*",
    re.IGNORECASE,
)


class CommandLineDetector(Detector):
    """Passwords and tokens given to commands: `curl -u user:pw`, `mysql -pPW`, `--password PW`, `--token T`,
    `-H 'Authorization: Bearer T'`."""

    def find(self, scope: Scope) -> Iterator[Match]:
        text = scope.text
        for found in _USER_OPTION_RE.finditer(text):
            if not _after_space(text, found.start()):
                continue
            user, colon, password, start = _user_and_password(found)
            if not colon or _TEMPLATE_CHARS.intersection(user + password):
                continue
            value, offset = (password, start + len(user) + 1) if password else (user, start)
            if plausible_password(value) and (password or looks_random(value)):
                yield self._match(offset, offset + len(value), value, "--user")
        for found in _SECRET_OPTION_RE.finditer(text):
            if not _after_space(text, found.start()):
                continue
            group = next(g for g in ("dq", "sq", "bare") if found.group(g) is not None)
            value = found.group(group)
            if found.group(0)[1] == "p" and _OPTION_NAME_RE.match(value):
                continue  # `-print_final_stats=1`: a one-dash long option (libFuzzer, clang), not `-pPASSWORD`
            if not _TEMPLATE_CHARS.intersection(value) and plausible_password(value) and (found.group(0)[1] == "-" or looks_random(value)):
                yield self._match(found.start(group), found.end(group), value, found.group(0).split("=")[0].split()[0])
        yield from self._headers(text)

    def _headers(self, text: str) -> Iterator[Match]:
        """A header's credential, shorter than a random token may be (`Api-Token: Sk94HG7f6KB`): the
        option and the header's name say what it is; it must still not read as words."""
        for found in _HEADER_OPTION_RE.finditer(text):
            if not _after_space(text, found.start()):
                continue
            group = "dq" if found.group("dq") is not None else "sq"
            header = _CREDENTIAL_HEADER_RE.fullmatch(found.group(group))
            if header is None or not plausible_password(header.group("value")):
                continue
            start = found.start(group) + header.start("value")
            yield self._match(start, start + len(header.group("value")), header.group("value"), "--header")


_OPTION_NAME_RE = re.compile(r"[a-z]+(?:[_-][a-z]+)*=")


def _user_and_password(found: re.Match[str]) -> tuple[str, str, str, int]:
    """(user, ":" or "", password, offset of the user) of a `--user` option's value."""
    quoted = next((group for group in ("pdq", "psq") if found.group(group) is not None), None)
    if quoted is not None:
        user = found.group("user")
        return user, ":", found.group(quoted), found.start(quoted) - len(user) - 1
    group = next(group for group in ("dq", "sq", "bare") if found.group(group) is not None)
    user, colon, password = found.group(group).partition(":")
    return user, colon, password, found.start(group)


# `-u <user:password>`, `--token $TOKEN`, `-p{{ pw }}`: a stand-in, not a value.
_TEMPLATE_CHARS = frozenset("<>{}$%")


def _after_space(text: str, offset: int) -> bool:
    return offset == 0 or text[offset - 1] in " \t\n'\"="


# -- names and clients ----------------------------------------------------------------------------

_VENUES = provider_names()


def named_provider(segments: tuple[str, ...]) -> Provider | None:
    """The provider a credential name names (`binance_api_secret`, `IbPassword`, `coinbasepro_key`)."""
    for segment in segments:
        provider = _VENUES.get(segment)
        if provider is not None:
            return provider
        for word, named in _VENUES.items():
            if len(word) >= 5 and segment.startswith(word):
                return named
    return None


class ClientArgumentDetector(Detector):
    """Keys passed positionally to a client constructor: typed as the venue's key when the class
    is its SDK's and the file imports the SDK."""

    def find(self, scope: Scope) -> Iterator[Match]:
        for call in scope.client_calls:
            literals = credential_literals(call)
            if not literals:
                continue
            secret_type = self.secret_type
            for provider in PROVIDERS:
                if call.cls in provider.client_classes and scope.imports.intersection(provider.sdk_modules):
                    secret_type = provider.secret_type
                    break
            for literal in literals:
                yield Match(literal.start, literal.end, literal.value, secret_type, f"{call.cls}()")


class CredentialNameDetector(Detector):
    """A literal assigned to a credential name in any syntax, typed as the provider the name names.

    A value is judged by the formats it claims: one that opens with a token format's own prefix
    and is not that token (`cfut_` cut short, `xai-` and half a key, a `DATABRICKS_TOKEN` of
    `dapi12`) is a mangled copy or a test's look-alike, and a value under the name of a provider
    with one shape of key (`name_format`: a Telegram name holds bot tokens) that does not have
    it is not that provider's key. Neither is reported, by the provider's name or the generic one.
    """

    def find(self, scope: Scope) -> Iterator[Match]:
        for assignment in scope.assignments:
            provider = named_provider(assignment.segments)
            value = assignment.value
            if fails_claimed_format(value, provider):
                continue
            if provider is not None and provider.name_format and assignment.kind == "secret" and not _name_format_of(provider).fullmatch(value):
                continue
            secret_type = provider.secret_type if provider is not None else self.secret_type
            if provider is not None and provider.prefixes and value.startswith(provider.prefixes) and not _format_of(provider).match(value):
                # A two-letter prefix (`PK` of Alpaca's key ids) under the provider's name claims
                # too little to drop a value: a generic credential, if machine-made.
                if not looks_random(value):
                    continue
                secret_type = self.secret_type
            yield Match(assignment.start, assignment.end, value, secret_type, assignment.name)


# Prefixes that claim a token format wherever a value opens with them: four characters or more
# (`cfut_`, `xai-`, `AKIA`), or three ending in a separator (`hf_`, `SG.`, `r8_`), and not a word a
# value may open with by chance (`access-`, `secret_`, a hash's `sha256~`), nor one many vendors
# share (`sk_` of Stripe, IEX, ElevenLabs and Clerk; `sk-` of OpenAI, DeepSeek and Moonshot), nor
# Dropbox's `sl.`, whose newer tokens are longer than its published format.
_UNCLAIMED_PREFIXES = frozenset({
    "access-", "access_token", "secret_", "key-", "API-", "pat.", "sat.", "sha256~", "sk_", "rk_", "sk-", "sl.",
})


def _claims(provider: Provider) -> tuple[str, ...]:
    """A row's prefixes, and for a searched pattern the triggers that open its tokens (`sgp_`)."""
    heads = provider.prefixes or tuple(
        trigger for trigger in provider.triggers if trigger[-1:] in "_-" and trigger in provider.pattern
    )
    return tuple(
        head for head in heads
        if (len(head) >= 4 or len(head) == 3 and head[-1] in "_.-") and head not in _UNCLAIMED_PREFIXES
    )


_CLAIMING_PREFIXES: tuple[tuple[str, Provider], ...] = tuple(
    (prefix, provider) for provider in PROVIDERS if provider.pattern for prefix in _claims(provider)
)
_CLAIMING_STARTS = tuple(prefix for prefix, _ in _CLAIMING_PREFIXES)


def fails_claimed_format(value: str, named: Provider | None = None) -> bool:
    """The value opens with a token format's prefix (any format's distinctive one, or a
    three-character one of the provider its name names) and fits none of the formats it claims."""
    claimants = [provider for prefix, provider in _CLAIMING_PREFIXES if value.startswith(prefix)] if value.startswith(_CLAIMING_STARTS) else []
    if named is not None and named.pattern and any(len(prefix) >= 3 and value.startswith(prefix) for prefix in named.prefixes):
        claimants.append(named)
    return bool(claimants) and not any(_format_of(provider).match(value) for provider in claimants)


@cache
def _format_of(provider: Provider) -> re.Pattern[str]:
    return re.compile(provider.pattern)


@cache
def _name_format_of(provider: Provider) -> re.Pattern[str]:
    return re.compile(provider.name_format)


_CLASSES: dict[str, type[Detector]] = {
    cls.__name__: cls
    for cls in (MixedTokenDetector, DiscordTokenDetector, NearbyKeyDetector, MailchimpKeyDetector, OandaTokenDetector, JwtDetector, PemPrivateKeyDetector, CoinbaseCdpKeyDetector,
                PasswordInUrlDetector, CommandLineDetector, ClientArgumentDetector, CredentialNameDetector)
}


def build(provider: Provider) -> Detector | None:
    """The detector of one row; None for a row known only by names (the name detector types it)."""
    if provider.detector:
        return _CLASSES[provider.detector](provider)
    if provider.prefixes:
        return TokenDetector(provider)
    if provider.pattern:
        return PatternDetector(provider)
    return None


DETECTORS: tuple[Detector, ...] = tuple(
    detector for detector in map(build, PROVIDERS) if detector is not None
)
