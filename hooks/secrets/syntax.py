"""Reading credentials out of text: names assigned values, and literals passed to clients.

One parser serves every syntax a trading repository holds: Python and JS assignments and
keyword arguments, dict and JSON keys, YAML, TOML, INI and ``.env`` lines, shell ``export``,
Dockerfile ``ENV``, compose ``environment`` lists, Kubernetes ``- name: X / value: Y`` pairs and
.NET/NuGet ``<add key="X" value="Y" />`` settings.
Everything here is pure and linear in the text: a pathological line costs time in proportion
to its length, never more (no pattern has nested or overlapping unbounded repeats).

Nothing in this module imports detect-secrets; the detectors build on it.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

import ahocorasick_rs

from hooks.secrets import runs
from hooks.secrets.providers import TRIGGERS, VENUE_WORDS

# One pass over the text finds every trigger; a substring search per trigger (47 of them) cost
# ten times more on a real repository (0.40 s against 0.03 s over hummingbot's 17 MB).
_TRIGGER_SEARCH = ahocorasick_rs.AhoCorasick(list(TRIGGERS))

# Words whose presence in a name makes the name worth parsing, where the name is followed by an
# assignment or comparison operator (or, in a Kubernetes env list, by its `value:` line). The
# name is then split and classified by `credential_kind`; this pattern only finds where to
# look. It runs on the lower-cased text: a case-insensitive alternation is ten times slower.
_CREDENTIAL_WORDS = r"(?:pass|pwd|secret|token|key|auth|credential|bearer)"
_NAME_TAIL = r"[\w.-]{0,100}+(?=[\"'`]?\]?[ \t]{0,40}(?:[:=]|[!?+]=)|[\"']?[ \t]*\r?\n[ \t]*value:)"
_CREDENTIAL_WORD_RE = re.compile(_CREDENTIAL_WORDS + _NAME_TAIL)
_CREDENTIAL_WORD_ANY_CASE_RE = re.compile(_CREDENTIAL_WORDS + _NAME_TAIL, re.IGNORECASE)
_IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_MAX_NAME = 100

# After a name: an optional closing quote or bracket (JSON keys, `os.environ["X"] = ...`),
# the operator, an optional Python annotation (`api_key: str = "..."`), then the value.
_ASSIGN_RE = re.compile(
    r"""
    (?P<close>["'`]?)\]?
    [ \t]{0,40}
    (?:
        (?P<op>:::=|::=|:=|=>|===|==|!=|\?=|\+=|=)
      | :(?![:/=])(?:[ \t]{0,40}[A-Za-z_][\w.\[\], |]{0,60}?[ \t]{0,40}=(?!=))?
    )
    [ \t]{0,40}
    (?:[rRbBuUfF]{1,2}(?=["'])|@(?="))?
    (?:(?:Bearer|Basic|Token|bearer|token|Api-Token|Api-Key|ApiKey|Digest|OAuth)[ \t]+)?
    (?:
        "(?P<dq>[^"\n]{0,2000})"
      | '(?P<sq>[^'\n]{0,2000})'
      | `(?P<bq>[^`\n]{0,2000})`
      | (?P<bare>[^\s"'`,;&)}\]\\]{1,2000})
    )
    """,
    re.VERBOSE,
)
# Formats that separate a name from its value by spaces: the legacy Dockerfile `ENV NAME value`
# and `.netrc`'s `machine host login user password value`.
_DOCKER_ENV_RE = re.compile(
    r"^[ \t]*(?:ENV|ARG)[ \t]+(?P<name>[A-Za-z_]\w{0,99})[ \t]+(?P<bare>[^\s=]\S{0,1999})[ \t]*$", re.MULTILINE
)
_NETRC_RE = re.compile(r"(?<!\S)(?P<name>password|passwd)[ \t]+(?P<bare>\S{1,2000})")
# .NET and NuGet XML settings name the value in one attribute and give it in the next:
# `<add key="ClearTextPassword" value="..." />`.
_XML_PAIR_RE = re.compile(r"<add[ \t]+key=\"(?P<name>[A-Za-z_][\w.:-]{0,99})\"[ \t]+value=\"(?P<bare>[^\"\n]{1,2000})\"")
# The line after `- name: X` in a Kubernetes or compose env list.
_K8S_VALUE_RE = re.compile(
    r"[ \t]*value:[ \t]*(?:\"(?P<dq>[^\"\n]{0,2000})\"|'(?P<sq>[^'\n]{0,2000})'|(?P<bare>[^\s\"'#]{1,2000}))"
)
_NAME_KEY_BEFORE_RE = re.compile(r"name:[ \t]*[\"']?$")

_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM_RE = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SEGMENT_SPLIT_RE = re.compile(r"[_.\-\s]+")

PASSWORD_SEGMENTS = frozenset({"password", "passwd", "pwd", "passphrase", "passcode", "pw"})
# `pass` names a password only at the end (`DB_PASS`, `smtp_pass`), not in `PassStateEntered`
# or `pass_through`.
_LAST_ONLY_PASSWORD_SEGMENT = "pass"
SECRET_SEGMENTS = frozenset({
    "secret", "secrets", "token", "apikey", "apisecret", "secretkey", "privatekey", "accesskey",
    "accesstoken", "authtoken", "apitoken", "credential", "credentials", "bearer", "authorization",
    "auth", "signingkey", "clientsecret",
})
# `key` on its own is a common word (`sort(key=...)`, `cache_key`): it names a credential only
# after one of these, after a venue name, or alone.
KEY_QUALIFIERS = frozenset({
    "api", "access", "secret", "private", "auth", "client", "signing", "encryption", "master", "app",
    "consumer", "account", "service", "webhook", "hmac", "shared", "license", "x", "sdk", "server",
    "admin", "root", "deploy", "bot", "user", "personal", "session", "refresh", "login",
}) | VENUE_WORDS  # `binance_key`, `stripe_key`: the providers' names, from the one table
# A name holding any of these segments describes or locates a credential, it does not hold one:
# `password_file`, `token_url`, `public_key`, `key_id`, `secret_name`, `password_min_length`.
EXCLUDED_SEGMENTS = frozenset({
    "public", "pub", "id", "ids", "file", "files", "path", "paths", "dir", "url", "uri", "endpoint",
    "host", "hostname", "port", "name", "names", "env", "environ", "var", "vars", "type", "types",
    "len", "length", "size", "hash", "hashed", "sha", "sha1", "sha256", "digest", "fingerprint", "fp",
    "checksum", "header", "headers", "field", "fields", "param", "params", "prefix", "suffix", "regex",
    "pattern", "format", "policy", "min", "max", "expiry", "expires", "expiration", "expire", "ttl",
    "timeout", "count", "enabled", "enable", "required", "encrypted", "label", "placeholder", "prompt",
    "hint", "help", "description", "title", "store", "manager", "provider", "source", "version", "rev",
    "ref", "arn", "mode", "method", "algorithm", "algo", "alg", "scheme", "location", "user", "username",
    "login", "cache", "index", "column", "attr", "option", "flag", "schema", "class", "kind", "input",
    "output", "error", "message", "msg", "text", "display", "reset", "rotation", "created", "updated",
    "lookup", "exists", "valid", "validator", "check", "strength", "page", "next", "cursor",
    "continuation", "csrf", "xsrf", "limit", "usage", "budget", "event", "request", "response", "spec",
    "fake", "dummy", "mock", "example", "sample", "template", "pair", "bytes", "bits",
    "last", "used", "date", "time", "since", "purchase", "idempotency",
    # Blockchain addresses and mints are public: `quoteTokenAddress`, `main_wallet_address`.
    "address", "addr", "mint", "contract",
})
# Names that say the value is not a working credential: `invalid_token`, `wrongPassword`, a
# test's `nonMatchingToken` (read across two segments too: `non_matching`).
NOT_REAL_SEGMENTS = frozenset({"invalid", "wrong", "bogus", "incorrect", "nonmatching", "mismatched", "unmatched"})
_PASSWORD_OWNERS = frozenset({"login", "user", "username", "admin", "root", "account"})
# Tokens that identify a request rather than authenticate it (AWS's `ClientToken`).
EXCLUDED_NAMES = frozenset({("client", "token"), ("request", "token")})

_IMPORT_RE = re.compile(r"^[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)

CODE_EXTENSIONS = frozenset({
    ".py", ".pyi", ".pyw", ".ipynb", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".java", ".kt",
    ".scala", ".rb", ".rs", ".cs", ".php", ".c", ".h", ".cc", ".cpp", ".hpp", ".swift", ".m",
})


def split_name(name: str) -> tuple[str, ...]:
    """``FIXPassword`` -> ``("fix", "password")``; ``x-api-key`` -> ``("x", "api", "key")``."""
    spaced = _CAMEL_RE.sub(r"\1_\2", _ACRONYM_RE.sub(r"\1_\2", name))
    return tuple(part for part in _SEGMENT_SPLIT_RE.split(spaced.lower()) if part)


@lru_cache(maxsize=4096)
def classify_name(name: str) -> tuple[tuple[str, ...], str | None]:
    """(segments, kind) of a name; cached, as a repository repeats its names (`api_key`) endlessly.

    In a dotted name the last part holds the value and says what it is: `self.api_secret` and
    `spring.datasource.password` are credentials, `self._xrpl_auth.get_account.return_value` is
    not (unless that part is only a `value`, as in `token.value`).
    """
    segments = split_name(name)
    parts = [part for part in name.split(".") if part]
    if len(parts) > 1:
        tail = next((part for part in reversed(parts) if split_name(part) not in _VALUE_PARTS), parts[-1])
        return segments, credential_kind(split_name(tail))
    return segments, credential_kind(segments)


_VALUE_PARTS = frozenset({("value",), ("val",), ("default",)})


def credential_kind(segments: tuple[str, ...]) -> str | None:
    """``"password"``, ``"secret"`` or None for a split name."""
    if not segments or segments in EXCLUDED_NAMES:
        return None
    if "clear" in segments:  # NuGet's `ClearTextPassword` holds the password in clear, it is no label text
        segments = tuple(part for index, part in enumerate(segments) if part != "text" or segments[index - 1] != "clear")
    is_password = any(segment in PASSWORD_SEGMENTS for segment in segments) or segments[-1] == _LAST_ONLY_PASSWORD_SEGMENT
    # `admin_login_password`, `db_user_password`, `user_auth`, `account_key`: whose credential it is
    # does not make it a login name, when the credential word comes last.
    owned = is_password or segments[-1] in SECRET_SEGMENTS or segments[-1] == "key"
    excluded = EXCLUDED_SEGMENTS - _PASSWORD_OWNERS if owned else EXCLUDED_SEGMENTS
    if any(segment in excluded for segment in segments) or _says_not_real(segments):
        return None
    if is_password:
        return "password"
    if _names_a_coin(segments):
        return None
    if len(segments) == 1 and len(segments[0]) >= 5 and segments[0] in VENUE_WORDS:
        return "secret"  # `cloudflare: "<key>"`: a provider's name alone, holding a machine-made value
    if any(segment in SECRET_SEGMENTS for segment in segments):
        return "secret"
    for index, segment in enumerate(segments):
        if segment == "key" and (len(segments) == 1 or index > 0 and segments[index - 1] in KEY_QUALIFIERS):
            return "secret"
    return None


# In trading code a `token` is often a coin: `tokenIn`, `token0`, `tokenProgram`, `quote_token`,
# `UNKNOWN_TOKEN_X` hold a mint or a contract, which is public. Words before or after `token` that
# say so, unless an auth word says it is a credential after all (`access_token_a`, `api_token_0`).
_COIN_AFTER = frozenset({
    "in", "out", "a", "b", "x", "y", "0", "1", "program", "vault", "mint", "pool", "pair", "symbol", "decimals",
    "amount", "list", "info", "metadata", "account", "accounts", "balance", "price", "supply",
})
_COIN_BEFORE = frozenset({
    "base", "quote", "native", "wrapped", "stable", "reward", "lp", "erc20", "spl", "from", "to", "collateral", "debt",
    "gas", "fee",
})
_AUTH_WORDS = frozenset({"auth", "access", "api", "bearer", "refresh", "session", "oauth", "bot", "personal", "jwt"})


def _names_a_coin(segments: tuple[str, ...]) -> bool:
    if "token" not in segments or any(segment in _AUTH_WORDS or segment in SECRET_SEGMENTS - {"token"} for segment in segments):
        return False
    index = segments.index("token")
    return index + 1 < len(segments) and segments[index + 1] in _COIN_AFTER or index > 0 and segments[index - 1] in _COIN_BEFORE


def _says_not_real(segments: tuple[str, ...]) -> bool:
    return any(segment in NOT_REAL_SEGMENTS for segment in segments) or any(
        first + second in NOT_REAL_SEGMENTS for first, second in zip(segments, segments[1:])
    )


# -- what a value looks like ------------------------------------------------------------------

_WORDS_RE = re.compile(r"[A-Za-z]+(?:[-_. :/@][A-Za-z]+)*")
_WORD_TOKEN_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_VOWELS = frozenset("aeiouyAEIOUY")
_VOWELLESS_WORDS = frozenset({
    "http", "https", "xml", "sql", "rpc", "grpc", "tcp", "udp", "tls", "ssl", "dns", "cfg", "ctx", "msg",
    "src", "dst", "str", "tmp", "pwd", "cdp", "ws", "wss",
})
_PART_SEPARATOR_RE = re.compile(r"[._:/-]")
_PATH_SUFFIX_RE = re.compile(
    r"\.(?:pem|key|json|txt|p12|pfx|crt|cer|der|env|ya?ml|ini|cfg|conf|toml|gpg|asc)$", re.IGNORECASE
)
_PATH_PREFIXES = (
    "./", "../", "~/", "/run/", "/etc/", "/var/", "/home/", "/tmp/", "/opt/", "/secrets/", "/usr/", "/app/", "/data/",
)
# `/v1/sys/wrapping/unwrap`: lower-case segments. A base64 key that starts with `/` has capitals.
_URL_PATH_RE = re.compile(r"(?:/[a-z0-9_.{}:-]+){2,}/?")
# Keys and tokens are base64, hex or punctuation-light ASCII; these characters mark code, markup
# or a regex (`(?P<key>[A-Za-z0-9]{32})`), not a token.
_NOT_IN_TOKENS = frozenset("[]{}<>\\\"'`")


def shannon_entropy(value: str) -> float:
    length = len(value)
    counts: dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    return -sum(count / length * math.log2(count / length) for count in counts.values())


def is_words(value: str) -> bool:
    """Letters only, reading as words (`api-key-name`, `clientIDList`, `aws:secretsmanager:owner`),
    not a random mixed-case string (`plWbQufTeTQkUIki...`, about 0.4% of 32-character keys).

    Random letters split at camel humps give short tokens and tokens without vowels; measured on
    random strings, this takes one 32-letter string in 400 for words, and a 64-letter one never.
    """
    if not _WORDS_RE.fullmatch(value.strip("@")):
        return False
    tokens = _WORD_TOKEN_RE.findall(value)
    if sum(map(len, tokens)) < 3 * len(tokens):
        return False
    for token in tokens:
        if token.isupper() or token.lower() in _VOWELLESS_WORDS:
            continue
        vowels = sum(char in _VOWELS for char in token)
        if (len(token) >= 2 and vowels == 0) or (len(token) >= 6 and vowels < len(token) / 4):
            return False
    return True


def is_identifier(value: str) -> bool:
    """Words joined by separators, short parts and letter-and-number codes allowed
    (`access_logs.s3.enabled`, an XML type `clm5:AgencyIdentificationCodeContentType`)."""
    parts = _PART_SEPARATOR_RE.split(value)
    if len(parts) < 2:
        return False
    words = [len(part) > 3 and is_words(part) for part in parts]
    return all(word or len(part) <= 3 or _CODE_RE.fullmatch(part) for word, part in zip(words, parts)) and (
        any(words) or all(len(part) <= 3 for part in parts)
    )


# A letters-then-digits code (`clm05546`, `utf8`, `v2`), as namespaces and versions are named.
_CODE_RE = re.compile(r"[A-Za-z]{1,6}\d{1,8}")


def typed_by_hand(value: str) -> bool:
    """Words a person typed, then perhaps a number and a sign (`strongpass123`, `accountsCRUD1!`,
    `recovery_pw`): a test's password, not a generated key, whose digits fall among its letters."""
    if _TYPED_RE.fullmatch(value) is None:
        return False
    tokens = _WORD_TOKEN_RE.findall(value)
    letters = sum(map(len, tokens))
    return len(tokens) <= 4 and letters >= max(4, 3 * len(tokens)) and all(
        len(token) <= 3 or token.isupper() or len(token) <= 12 and sum(char in _VOWELS for char in token) * 5 >= len(token)
        for token in tokens
    )


_TYPED_RE = re.compile(r"[A-Za-z]+(?:[-_ ][A-Za-z]+){0,3}[-_]?\d{0,6}[!@#$%^&*?.]{0,3}")


def looks_like_path(value: str) -> bool:
    return (
        value.startswith(_PATH_PREFIXES)
        or "://" in value
        or bool(_PATH_SUFFIX_RE.search(value))
        or bool(_URL_PATH_RE.fullmatch(value))
    )


def looks_random(value: str) -> bool:
    """A machine-made key or token: long, no spaces, not words, not a path, varied characters."""
    if len(value) < 12 or any(char.isspace() or char in _NOT_IN_TOKENS for char in value) or looks_like_path(value):
        return False
    if is_words(value) or is_identifier(value):
        return False
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value)))
    return classes >= 2 and shannon_entropy(value) >= 3.0


def plausible_password(value: str) -> bool:
    """A password someone could log in with: not plain words (`challengePassword`), not a path."""
    if len(value) < 6 or len(value) > 200 or looks_like_path(value) or any(char.isspace() for char in value):
        return False
    return not is_words(value)


# -- names, values and calls ----------------------------------------------------------------------

_AUTH_SCHEME_RE = re.compile(r"(?:Bearer|Basic|Token|token|bearer|Api-Token|Api-Key|ApiKey|Digest|OAuth)[ \t]+")


@dataclass(frozen=True, slots=True)
class Assignment:
    """A credential-like name and the literal value it is given (never printed: see `__repr__`)."""

    name: str
    segments: tuple[str, ...]
    kind: str
    value: str
    start: int
    end: int

    def __repr__(self) -> str:
        return f"Assignment(name={self.name!r}, kind={self.kind!r}, span=({self.start}, {self.end}))"


@dataclass(frozen=True, slots=True)
class Literal:
    """A string literal passed positionally to a client constructor."""

    value: str
    start: int
    end: int

    def __repr__(self) -> str:
        return f"Literal(span=({self.start}, {self.end}))"


@dataclass(frozen=True, slots=True)
class ClientCall:
    cls: str
    literals: tuple[Literal, ...]


# Client classes of broker and exchange SDKs that take credentials as leading positional
# arguments: `Client("k", "s")` (binance, coinbase), `REST("k", "s")` (alpaca), `API("k", "s")`
# (krakenex), `RESTClient("k")` (polygon), `AuthenticatedClient("k", "s", "p")` (cbpro).
CLIENT_CLASSES = frozenset({
    "Client", "AsyncClient", "REST", "API", "AuthenticatedClient", "RESTClient", "TradingClient",
    "StockHistoricalDataClient", "CryptoHistoricalDataClient", "OptionHistoricalDataClient",
    "StockDataStream", "CryptoDataStream", "TradingStream", "Stream", "Spot", "UMFutures",
    "CMFutures", "KrakenAPI", "WebSocketClient", "WSClient",
    # HTTP auth objects and login calls take a password positionally.
    "HTTPBasicAuth", "HTTPDigestAuth", "BasicAuth", "login",
})
# A call whose first argument is a string literal; the callee's name is read back from the `(`.
_CALL_WITH_LITERAL_RE = re.compile(r"\((?=\s{0,200}[rRbBuU]{0,2}[\"'])")
_CALLEE_RE = re.compile(r"(?<![\w])([A-Za-z_]\w{0,40})[ \t]*$")
_ARG_RE = re.compile(r"""\s{0,200}[rRbBuU]{0,2}(?:"(?P<dq>[^"\\\n]{1,300})"|'(?P<sq>[^'\\\n]{1,300})')\s{0,200}(?:,|\))""")
_HOSTNAME_RE = re.compile(r"[\w-]+(?:\.[\w-]+)+(?::\d+)?/?")


class Scope:
    """One text being scanned, with what plugins ask of it computed once and on demand."""

    __slots__ = ("text", "filename", "is_code", "is_dockerfile", "is_netrc", "__dict__")

    def __init__(self, text: str, filename: str = "", *, is_code: bool | None = None) -> None:
        self.text = text
        self.filename = filename
        base = os.path.basename(filename)
        self.is_code = os.path.splitext(filename)[1].lower() in CODE_EXTENSIONS if is_code is None else is_code
        self.is_dockerfile = base.startswith(("Dockerfile", "Containerfile")) or base.endswith(".dockerfile")
        self.is_netrc = base in (".netrc", "_netrc")

    @cached_property
    def lowered(self) -> str:
        return self.text.lower()

    @cached_property
    def imports(self) -> frozenset[str]:
        return frozenset(match.group(1) for match in _IMPORT_RE.finditer(self.text))

    @cached_property
    def assignments(self) -> tuple[Assignment, ...]:
        return tuple(_parse_assignments(self))

    @cached_property
    def client_calls(self) -> tuple[ClientCall, ...]:
        return tuple(_parse_client_calls(self.text))

    @cached_property
    def runs_by_head(self) -> dict[str, list[tuple[int, str]]]:
        """Runs of token characters that open like a known token format (`hooks.secrets.runs`)."""
        return runs.runs_by_head(self.text)

    @property
    def run_heads(self) -> frozenset[str]:
        return frozenset(self.runs_by_head)

    @cached_property
    def oanda_runs(self) -> list[int]:
        return runs.oanda_starts(self.text)

    @cached_property
    def triggers_present(self) -> frozenset[str]:
        """The providers' triggers this text holds, looked up once for all detectors."""
        return frozenset(_TRIGGER_SEARCH.find_matches_as_strings(self.lowered, overlapping=True))


def _parse_assignments(scope: Scope) -> list[Assignment]:
    text = scope.text
    found: list[Assignment] = []
    lowered = scope.lowered
    # Lower-casing keeps offsets, except for a few characters (`İ`): then search the text itself.
    words = _CREDENTIAL_WORD_RE.finditer(lowered) if len(lowered) == len(text) else _CREDENTIAL_WORD_ANY_CASE_RE.finditer(text)
    for word in words:
        start, end = word.start(), word.end()
        while start > 0 and text[start - 1] in _IDENTIFIER_CHARS and word.start() - start < _MAX_NAME:
            start -= 1
        if start > 0 and text[start - 1] == "\\" and start < word.start():
            start += 1  # `\nIbPassword=` in a string literal: the `n` belongs to the escape
        if start >= 2 and text[start - 1] == ":" and (text[start - 2] == ":" or text[start - 2].isalnum()):
            continue  # a segment of a path, not a key: `AWS::SecretsManager::Secret`, `arn:...:secret:x`
        name = text[start:end].strip(".-")
        segments, kind = classify_name(name)
        if kind is None:
            continue
        assignment = _value_after(scope, name, segments, kind, start, end)
        if assignment is not None:
            found.append(assignment)
    if scope.is_dockerfile:
        found.extend(_spaced_pairs(_DOCKER_ENV_RE, scope.text))
    if scope.is_netrc:
        found.extend(_spaced_pairs(_NETRC_RE, scope.text))
    if "<add" in text:
        found.extend(_spaced_pairs(_XML_PAIR_RE, scope.text, declared=True))
    return found


def _value_after(scope: Scope, name: str, segments: tuple[str, ...], kind: str, start: int, end: int) -> Assignment | None:
    text = scope.text
    line_start = text.rfind("\n", 0, start) + 1
    if _NAME_KEY_BEFORE_RE.search(text, line_start, start):
        return _k8s_env_value(scope, name, segments, kind, end)
    match = _ASSIGN_RE.match(text, end)
    if match is None:
        return None
    group = next(g for g in ("dq", "sq", "bq", "bare") if match.group(g) is not None)
    # In source code an unquoted value is an expression (`api_key = os.environ[...]`), unless
    # the name itself sits inside a string: a URL query (`"...?apiKey=..."`), a DSN
    # (`"host=db password=..."`), a header (`"Authorization: Bearer ..."`). A quoted name
    # (`{'Authorization': header}`) is a dict key, and its value an expression.
    if group == "bare" and scope.is_code and (match.group("close") or not _inside_string(text, line_start, start)):
        return None
    if group == "bare" and match.group("op") in ("==", "!=", "==="):
        return None
    value, value_start = match.group(group), match.start(group)
    if text.endswith("${", 0, start):
        # `${DB_PASSWORD:-admin}`: a shell expansion whose fallback, if any, is the literal.
        if group != "bare" or match.group("op") is not None or not value.startswith(("-", "=")):
            return None
        value, value_start = value[1:], value_start + 1
    return _assignment(name, segments, kind, value, value_start)


def _inside_string(text: str, line_start: int, offset: int) -> bool:
    before = text[line_start:offset]
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1 or before.endswith(("?", "&"))


def _k8s_env_value(scope: Scope, name: str, segments: tuple[str, ...], kind: str, end: int) -> Assignment | None:
    next_line = scope.text.find("\n", end)
    if next_line < 0:
        return None
    match = _K8S_VALUE_RE.match(scope.text, next_line + 1)
    if match is None:
        return None
    group = next(g for g in ("dq", "sq", "bare") if match.group(g) is not None)
    return _assignment(name, segments, kind, match.group(group), match.start(group))


def _spaced_pairs(pattern: re.Pattern[str], text: str, *, declared: bool = False) -> list[Assignment]:
    found = []
    for match in pattern.finditer(text):
        segments = split_name(match.group("name"))
        kind = credential_kind(segments)
        if kind is not None:
            assignment = _assignment(match.group("name"), segments, kind, match.group("bare"), match.start("bare"), declared)
            if assignment is not None:
                found.append(assignment)
    return found


def _assignment(
    name: str, segments: tuple[str, ...], kind: str, value: str, start: int, declared: bool = False
) -> Assignment | None:
    """`declared`: the syntax itself says the value is a literal password (a NuGet
    `<add key="ClearTextPassword" value="...">`), so one that reads as words is still one."""
    scheme = _AUTH_SCHEME_RE.match(value)
    if scheme is not None:
        value, start = value[scheme.end():], start + scheme.end()
    if kind == "password":
        if not (plausible_password(value) or declared and len(value) >= 8 and not any(char.isspace() for char in value)):
            return None
    elif not looks_random(value):
        return None
    elif segments == ("key",) and not (len(value) >= 20 and any(char.isdigit() for char in value)):
        return None  # `key` alone is mostly a lookup key (`{"key": "@creationTime"}`), not a credential
    return Assignment(name, segments, kind, value, start, start + len(value))


def _parse_client_calls(text: str) -> list[ClientCall]:
    calls = []
    for call in _CALL_WITH_LITERAL_RE.finditer(text):
        callee = _CALLEE_RE.search(text, max(0, call.start() - 48), call.start())
        if callee is None or callee.group(1) not in CLIENT_CLASSES:
            continue
        literals = []
        position = call.end()
        while len(literals) < 4:
            argument = _ARG_RE.match(text, position)
            if argument is None:
                break
            group = "dq" if argument.group("dq") is not None else "sq"
            literals.append(Literal(argument.group(group), argument.start(group), argument.end(group)))
            position = argument.end()
            if text[position - 1] == ")":
                break
        if literals:
            calls.append(ClientCall(callee.group(1), tuple(literals)))
    return calls


def credential_literals(call: ClientCall) -> list[Literal]:
    """The literals of a client call that are credentials.

    A call qualifies when one literal looks machine-made; then its other short literals
    (a Coinbase passphrase) count too, but not URLs, hostnames or plain words.
    """
    if not any(looks_random(literal.value) for literal in call.literals):
        return []
    return [
        literal
        for literal in call.literals
        if looks_random(literal.value)
        or (
            len(literal.value) >= 6
            and plausible_password(literal.value)
            and not _HOSTNAME_RE.fullmatch(literal.value)
            and "@" not in literal.value  # an e-mail address: the login, not the password
        )
    ]
