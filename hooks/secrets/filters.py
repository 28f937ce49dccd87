"""Filters that keep reports true: each drops a candidate that is not a live credential.

As in detect-secrets, a filter is a plain function whose arguments are injected by name from
what is known about the candidate: ``secret`` (the value), ``line`` (the line holding it),
``filename``, ``secret_type`` and ``name`` (the name it is assigned to, or ""). It returns True
to drop the candidate. The parameter names are read once, at import, not per call.

These replace detect-secrets' heuristic filters, several of which are slow or wrong:

- ``heuristic.is_indirect_reference`` runs a regex with two adjacent overlapping repeats
  (``[^\\v=!:]*\\s*``) over the whole line: cubic on a whitespace-heavy line, about 0.5 s for
  500 spaces and 3.6 s for 999 (it gives up only past 1000 characters). `is_indirect_reference`
  here judges the value alone, anchored, in linear time.
- ``heuristic.is_likely_id_string`` drops every secret that follows ``_id`` anywhere earlier on
  the line, so ``{"client_id": "x", "client_secret": "<real>"}`` hides the real secret.
- ``heuristic.is_lock_file`` knows neither ``uv.lock`` nor ``go.sum`` nor ``pnpm-lock.yaml``,
  nor hashes pinned in ``requirements.txt``, nor pre-commit ``rev:`` lines.

The allowlist pragma (``# pragma: allowlist secret``) is detect-secrets' own function; the
engine applies it with the baseline's regex excludes.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import string
from collections.abc import Callable

from hooks.secrets.syntax import shannon_entropy, typed_by_hand

# Template syntax anywhere, or a value that opens like an expression or markup (`{odbc_pw`,
# cut at the brace by an unquoted read of an f-string).
_TEMPLATE_RE = re.compile(r"\$\{|\{\{|\}\}|%\(|\$\(|^\$[A-Za-z_]|^%[A-Za-z_]\w*%$|^[{(\[<]|\{[A-Za-z_][\w.]*\}")
# Words that make a value a stand-in when they are whole parts of it (split at non-letters and
# at camel humps): `your_api_key`, `REPLACE_ME`, `fakeSecret`. Inside a random string the same
# letters are not a part (`...ZIRFAKEUGRh...`) and do not count.
_PLACEHOLDER_PARTS = frozenset({
    "changeme", "change", "replace", "replaceme", "your", "yours", "example", "sample", "dummy", "fake",
    "mock", "placeholder", "redacted", "removed", "masked", "insert", "todo", "fixme", "notreal", "here",
    "invalid",
})
_PART_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# Runs that mark a value masked or cut short: `2fFZuXXX_...`, `***REMOVED***`, `sk-...abcd`.
_MASKS = ("xxx", "XXX", "***", "...", "\u2026")
# Digit runs that fill a made-up value; under an explicit secret name they are not enough alone
# (the peers' own test keys, `12345678-ABCD-...` under `SNYK_TOKEN`, are reported as keys).
_DIGIT_FILLERS = ("0000000", "1234567")
# One character eight times over: `glc_1111111111...`, `AIzaaaaaaaaa...`.
_REPEATED_RE = re.compile(r"(.)\1{7}")
# One run over and over, perhaps cut short at the end: `0x` and `0123456789abcdef` four times,
# `a1b2c3d4e5f6` twice and `a1b2`.
_REPEATED_RUN_RE = re.compile(r"(.{4,32}?)\1+(.{0,32})")
_KNOWN_DEFAULTS = frozenset({
    "password", "passw0rd", "secret", "admin", "root", "guest", "postgres", "mysql", "test", "token",
    "apikey", "api_key", "none", "null", "nil", "true", "false", "undefined", "default", "pass", "user",
    "demo", "letmein", "qwerty", "123456", "1234567890", "hunter2",
})
_SEQUENCES = (
    string.ascii_lowercase + string.digits,
    string.digits + string.ascii_lowercase,
    string.digits * 2,
    "qwertyuiopasdfghjklzxcvbnm",
)


_UNLEET = str.maketrans("0@4$5361!|7", "oaassegilit")


def is_placeholder(secret: str, name: str = "") -> bool:
    """`<your-key>`, `${VAR}`, `{{ .Values.x }}`, `xxxx`, `changeme`, `P@55w0rd!`, `password1`, `abcdef123456`.

    Under an explicit secret name (`SNYK_TOKEN`; not a bare `key`) only these documented
    stand-ins drop a value; a run of a sequence inside it (`12345678-ABCD-...`) does not, unless
    the whole value is one or two such runs (`abcdef123456`).
    """
    lowered = secret.lower()
    unleet = lowered.rstrip("!0123456789").translate(_UNLEET)
    if len(set(lowered)) <= 3 or {lowered, unleet} & _KNOWN_DEFAULTS or _TEMPLATE_RE.search(secret):
        return True
    if any(mask in secret for mask in _MASKS) or _REPEATED_RE.search(_without_padding(secret)):
        return True
    repeated = _REPEATED_RUN_RE.fullmatch(secret.removeprefix("0x"))
    if repeated is not None and repeated.group(1).startswith(repeated.group(2)) or _mostly_doubled(secret):
        return True
    parts = [part.lower() for part in _PART_RE.findall(secret.removeprefix("0x"))]
    if any(part in _PLACEHOLDER_PARTS for part in parts):
        return True
    if is_explicit_name(name):
        whole_runs = len(parts) <= 2 and all(_in_sequence(part) for part in parts)
        return whole_runs or any(len(part) >= _WHOLE_ALPHABET and _in_sequence(part) for part in parts)
    return any(filler in secret for filler in _DIGIT_FILLERS) or any(
        len(part) >= 6 and _in_sequence(part) for part in parts + [lowered]
    )


def _without_padding(secret: str) -> str:
    """A leading run of one letter is a format's own padding (Twitter's bearer tokens open with
    22 `A`); a leading run of one digit (`1111111111:...`) is filler, and stays."""
    return secret.lstrip(secret[:1]) if secret[:1].isalpha() else secret


def _mostly_doubled(secret: str) -> bool:
    """`1111222233334444aaaabbbb...`: each character typed again and again. In a random key a
    character repeats the one before it about one time in sixteen (hex) or sixty (base64)."""
    body = _without_padding(secret)
    doubled = sum(body[index] == body[index - 1] for index in range(1, len(body)))
    return len(body) >= 16 and doubled * 5 >= len(body) * 2


# A sequence run longer than one pass over the ten digits: `abcdefghijklmnopqrstuvwxyz`.
_WHOLE_ALPHABET = 12


def _in_sequence(part: str) -> bool:
    return any(part in sequence for sequence in _SEQUENCES)


def is_explicit_name(name: str) -> bool:
    """A name that says what it holds (`HEROKU_API_KEY`, `_authToken`), not a bare `key`."""
    return bool(name) and name.lower() != "key"


_ENVIRONMENT_RE = re.compile(
    r"^\$\{?[A-Za-z_]|^%[A-Za-z_]\w*%$|environ(?!ment)|getenv|process\.env|ENV\[|^env:|secretKeyRef|valueFrom"
    r"|^!(?:vault|env|secret)|^(?:vault|ssm|awssm|gcpsm|azkv|op|ref\+\w+)://|^arn:aws:(?:secretsmanager|ssm):"
)
_ENVIRONMENT_NAME_RE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def is_environment_reference(secret: str) -> bool:
    """`$OANDA_TOKEN`, `os.environ[...]`, `op://vault/item`, or the bare name of a variable
    (upper-case words joined by `_`; `KD1US_E84Q_7M` is not one)."""
    if _ENVIRONMENT_RE.search(secret):
        return True
    if not _ENVIRONMENT_NAME_RE.fullmatch(secret):
        return False
    parts = secret.split("_")
    return sum(part.isalpha() and len(part) >= 3 for part in parts) * 2 >= len(parts)


_INDIRECT_RE = re.compile(
    r"[A-Za-z_][\w.]{0,200}[\[(]"
    r"|(?:self|cls|settings|config|cfg|conf|env|os|secrets|creds|credentials|args|opts|options|params"
    r"|vault|keyring|app|request)\.[A-Za-z_]"
)


def is_indirect_reference(secret: str) -> bool:
    """A value that is code reaching for the secret: `get_secret()`, `cfg["k"]`, `settings.API_KEY`.

    Replaces detect-secrets' cubic-time filter of the same name: anchored at the value's start
    and bounded, so its cost does not depend on the rest of the line.
    """
    return _INDIRECT_RE.match(secret) is not None


_TEST_PATH_RE = re.compile(
    r"(?:^|/)(?:tests?|testing|__tests__|spec|fixtures?|test[_-]?data|mocks?)/"
    r"|(?:^|/)(?:test_[^/]*|[^/]*_test\.\w+|conftest\.py)$"
)
_DUMMY_WORDS = ("test", "fake", "dummy", "mock", "sample", "example", "foo", "secret", "password", "xyz")


def is_dummy_in_test_fixture(secret: str, filename: str) -> bool:
    """In tests and fixtures, values that say they are dummies, are too regular to be keys, or
    are words a person typed (`strongpass123`).

    A random-looking value in a test is still reported: real keys get pasted into tests too.
    """
    if not _TEST_PATH_RE.search(filename.replace(os.sep, "/")):
        return False
    lowered = secret.lower()
    return any(word in lowered for word in _DUMMY_WORDS) or shannon_entropy(secret) < 3.0 or typed_by_hand(secret)


LOCKFILES = frozenset({
    "poetry.lock", "Pipfile.lock", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
    "pnpm-lock.yaml", "uv.lock", "pdm.lock", "Cargo.lock", "go.sum", "composer.lock", "Gemfile.lock",
    "Podfile.lock", "packages.lock.json", "conda-lock.yml", "bun.lock", "flake.lock",
    "Package.resolved", "Cartfile.resolved", "Brewfile.lock.json",
})
_DIGEST_MARKERS = ("--hash=", "integrity", "sha256:", "sha512-", "sha384-", "sha1-")
# Types a lockfile can only hold by accident; a lockfile's URL with a token in it is real.
_GENERIC_TYPES = frozenset({"Hard-coded Credential", "Client Credential Argument"})


def is_lockfile_or_digest(filename: str, line: str, secret_type: str) -> bool:
    """Hashes in lockfiles, pinned requirements and image digests, and pre-commit `rev:` pins."""
    base = os.path.basename(filename)
    if secret_type in _GENERIC_TYPES and (base in LOCKFILES or base.endswith(".lock")):
        return True
    lowered = line.lower()
    if any(marker in lowered for marker in _DIGEST_MARKERS):
        return True
    return base in (".pre-commit-config.yaml", ".pre-commit-hooks.yaml") and "rev:" in lowered


def is_name_echo(secret: str, name: str) -> bool:
    """`passwd:passwd`, `password = "password"`: the value only repeats its name."""
    return bool(name) and secret.lower().strip("_-") == name.lower().strip("_-")


_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


def is_timestamp(secret: str) -> bool:
    return bool(_TIMESTAMP_RE.fullmatch(secret))


_PASSWORD_HASH_RE = re.compile(
    r"\$(?:2[abxy]?|argon2(?:id|i|d)|[156y]|scrypt)\$|pbkdf2_sha\d+\$|bcrypt\$|\{(?:SSHA|SHA|SSHA512|CRYPT)\}"
)


def is_password_hash(secret: str) -> bool:
    """bcrypt, argon2, sha-crypt, Django and LDAP password hashes: what a server stores, not a password."""
    return _PASSWORD_HASH_RE.match(secret) is not None


_COMMIT_SHA_RE = re.compile(r"[0-9a-f]{40}")
_COMMIT_CONTEXT_RE = re.compile(r"\b(?:rev|revision|commit|sha|ref|git)\b", re.IGNORECASE)


def is_commit_sha(secret: str, line: str) -> bool:
    return bool(_COMMIT_SHA_RE.fullmatch(secret)) and bool(_COMMIT_CONTEXT_RE.search(line))


_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(secret: str, name: str) -> bool:
    """A UUID is mostly an identifier; under an explicit secret name (`KUCOIN_API_SECRET`,
    `HEROKU_API_KEY`, npm's `_authToken`) it is the secret, and stays reported."""
    return bool(_UUID_RE.fullmatch(secret)) and not is_explicit_name(name)


_EVM_ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}")


# Base58 (no 0, O, I, l): XRPL classic addresses (`r...`, 25-35 characters), Solana accounts and
# mints (32-44), named as accounts, addresses or wallets.
_BASE58_RE = re.compile(r"[1-9A-HJ-NP-Za-km-z]{25,44}")
_ADDRESS_NAME_RE = re.compile(r"account|address|addr|wallet|mint|pubkey|owner|issuer|destination", re.IGNORECASE)


def is_blockchain_address(secret: str, name: str) -> bool:
    """An EVM address (`0x` and 40 hex), or a base58 account under a name of accounts: public.
    A private key (64 hex, or a base58 key under a `private_key` name) is not one."""
    if _EVM_ADDRESS_RE.fullmatch(secret):
        return True
    return bool(_BASE58_RE.fullmatch(secret)) and bool(_ADDRESS_NAME_RE.search(name)) and "priv" not in name.lower()


_PUBLIC_MATERIAL_RE = re.compile(
    r"ssh-(?:rsa|ed25519|dss) AAAA|ecdsa-sha2-nistp\d+ AAAA|BEGIN (?:RSA |PGP )?PUBLIC KEY|BEGIN CERTIFICATE"
)
# Base64 DER openings of public keys (SubjectPublicKeyInfo): EC P-256, RSA 2048/4096/1024,
# Ed25519, EC P-384.
_PUBLIC_DER_PREFIXES = (
    "MFkwEwYHKoZIzj0CAQ", "MIIBIjANBgkqhkiG9w0BAQEFAAOC", "MIICIjANBgkqhkiG9w0BAQEFAAOC",
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GN", "MCowBQYDK2VwAyEA", "MHYwEAYHKoZIzj0CAQYFK4EEACID",
)


_KEY_IDENTIFIER_RE = re.compile(
    r"organizations/[0-9a-fA-F-]{36}/apiKeys/[0-9a-fA-F-]{36}"  # a Coinbase CDP key name
    r"|\d{3}-\d{3}-\d{5,9}-\d{3}"  # an OANDA account id
    r"|arn:aws:[\w-]+:[\w-]*:\d*:\S+"  # an AWS resource name
)


def is_key_identifier(secret: str) -> bool:
    """Names of keys and accounts, which locate a credential but grant nothing alone."""
    return bool(_KEY_IDENTIFIER_RE.fullmatch(secret))


def is_public_key_material(secret: str, line: str) -> bool:
    """Public keys and certificates are meant to be shared."""
    return bool(_PUBLIC_MATERIAL_RE.search(line)) or secret.startswith(_PUBLIC_DER_PREFIXES)


# Values printed in vendors' documentation, which every tutorial copies.
VENDOR_EXAMPLES = frozenset({
    # IBC's sample config.ini: the login of IB's public demo account.
    "demouser",
    # Binance API documentation, signed endpoint examples.
    "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
    # Microsoft's nuget.config reference, packageSourceCredentials examples.
    "33f!!lloppa", "hal+9ooo_da!sY",
    # Kraken REST API documentation, API-Sign example.
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
})


# SHA-1 of public keys that vendors ship in their SDKs, samples and API references (Google's
# Firebase SDK example keys, the test keys of Stripe's API reference that every tutorial copies):
# public by design, and kept here as hashes so no key-shaped literal is in the code.
PUBLIC_CLIENT_KEY_HASHES = frozenset({
    "0cb62954c5feaf5379bfb79b8e0087953ec49b9c", "30629614e951d0c842d53d2e2a3725c5a74fa4c1",
    "aeba977081f557a09d006463272f938094c0c06c", "8604acf99b2143abfe6ba97c7090b647753b4132",
    "f3b25215a08aca0106fe4e91e85cea25199ab84a", "767249479854747822994556243a51de112076cb",
    "43dcc07885e54b573c9f085be3749107890e93ec", "adc4fbfaf2488c787b2f89853d45bd56e852914e",
    "c1f8b9a3dde3c3ab373b10c7d10a225f463925cd", "9e0b559f59a9fb2f60c6e048875b5fa5851713c7",
    "0a9d44f07d082fa470b4616092810da4e8773476", "dcccd786a73796604f63bdd023053bfedbf1d751",
    "f3f44f860c476ada54b1aab0187d1cc2fd0d0e87", "b08e012d714a109ee96b34cc5a0c9c2e7ed8d769",
    "f35425a8bdd15ee10fa6b4578faeed6b221859ce", "77aa1a965bd0f5ecccd9942ee140021b8ba568e2",
    "610254dd5fa43ed5acda8235b50e685002110553", "64a8ec96ff7c1f2a3ca6203f329822da1ac5d836",
})


# SHA-1 of the private keys every Ethereum developer has (lower-case hex, no `0x`): the first ten
# accounts Hardhat, Anvil and Ganache derive from the published `test test ... junk` mnemonic, and
# the example key of web3.js's documentation. Public: bots drain any funds sent to them.
PUBLIC_DEV_KEY_HASHES = frozenset({
    "decb2f3d032bf00747bc25018f4a30bacd4c6b2e", "d61fef1878cd234025ec4f6aef3cc3559445d798",
    "c6f2bbd3db7e06d8a680b17b9f131b0ec4893e83", "b1b10394341ebd0aedcf78e550dbfde25f578d6e",
    "c8dc730e231c11aea2b8695fbe0e8bb1c492ce8f", "ff82acf0200a4abe5d7b24c216278d02c8be0bad",
    "ea2eda2f47286ee6f8d7e065f72512319ed5bac8", "fc1987a7d4f7c8693216ebb0074c2a3f366620e2",
    "c853e62d5abd819b614b63e868eb0211c265e26c", "3ad29a520e3fc99a22d775fbd3f60501ada5e83f",
    "4b3760b4e00c08fb736262c205107adcd6991b3c",
})
_HEX_KEY_RE = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")


def is_vendor_example(secret: str) -> bool:
    """AWS's documented keys all say EXAMPLE (`AKIAIOSFODNN7EXAMPLE`); others are listed,
    public client keys and developer chains' keys are known by hash, and JWTs signed with
    jwt.io's published secrets are its examples."""
    if "EXAMPLE" in secret or secret in VENDOR_EXAMPLES:
        return True
    if secret.startswith("eyJ") and secret.count(".") == 2:
        return is_signed_with_example_secret(secret) or is_public_client_jwt(secret)
    if _HEX_KEY_RE.fullmatch(secret):
        return hashlib.sha1(secret.lower().removeprefix("0x").encode()).hexdigest() in PUBLIC_DEV_KEY_HASHES
    return hashlib.sha1(secret.encode()).hexdigest() in PUBLIC_CLIENT_KEY_HASHES


# The HMAC secrets jwt.io's debugger fills in, old and new: anyone can forge such a token.
JWT_EXAMPLE_SECRETS = (b"your-256-bit-secret", b"your-384-bit-secret", b"your-512-bit-secret",
                       b"a-string-secret-at-least-256-bits-long")
_HMAC_DIGESTS = {"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"}


def is_public_client_jwt(token: str) -> bool:
    """A Supabase `anon` key: a JWT the project ships to every browser, whose power is what row
    level security allows anyone (the `service_role` key is the secret one)."""
    import base64
    import json

    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return False
    return isinstance(claims, dict) and claims.get("iss") == "supabase" and claims.get("role") == "anon"


def is_signed_with_example_secret(token: str) -> bool:
    """A JWT whose HMAC signature verifies under one of jwt.io's example secrets."""
    import base64
    import hmac
    import json

    head, _, rest = token.partition(".")
    _, _, signature = rest.partition(".")
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        expected = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except ValueError:
        return False
    digest = _HMAC_DIGESTS.get(header.get("alg")) if isinstance(header, dict) else None
    signed = token.rsplit(".", 1)[0].encode()
    return digest is not None and any(
        hmac.compare_digest(hmac.new(secret, signed, digest).digest(), expected) for secret in JWT_EXAMPLE_SECRETS
    )


# `st=2025-03-04&se=2025-04-04&sr=c`: request parameters, none of which is a secret.
_QUERY_RE = re.compile(r"[a-z]{1,12}=[^&\s=]+(?:&[\w.-]+=[^&\s]*)*")
_SECRET_PARAMETERS = re.compile(r"(?:^|&)(?:sig|signature|token|access_token|key|api_key|apikey|secret|password|pwd|auth)=",
                                re.IGNORECASE)


def is_parameters_without_secret(secret: str) -> bool:
    """A query string whose parameters hold no secret (a SAS token's validity window without
    its `sig`, or its first parameter as an unquoted read stops at `&`): what it grants lives in
    a parameter it lacks. Base64 never holds `=` but at its end, so no key is taken for one."""
    return bool(_QUERY_RE.fullmatch(secret)) and not _SECRET_PARAMETERS.search(secret)


def is_placeholder_basic_auth(secret: str, line: str) -> bool:
    """`Authorization: Basic dXNlcjpwdw==` is `user:pw`: HTTP Basic credentials are judged by the
    password they decode to, a stand-in (`changeme`) or a few letters being no credential. With
    no password at all the user part is the key (as many APIs take it), and stays reported."""
    if "Basic " + secret not in line:
        return False
    import base64
    import binascii

    try:
        decoded = base64.b64decode(secret, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    user, colon, password = decoded.partition(":")
    return bool(colon and password) and (len(password) < 6 or is_placeholder(password) or password.lower() == user.lower())


# The fields of a shared access signature, and the values Azure accepts in them: permissions
# are letters of `racwdxyltfmeopi`, an IP is an address or a range, the protocol `https` or
# `https,http`, versions and times dates.
_SAS_FIELD_RE = re.compile(r"(?<![A-Za-z0-9_])(sp|sip|spr|sv|st|se|sr)=([^&\s\"'#]*)")
_SAS_VALUES = {
    "sp": re.compile(r"[racwdxyltfmeopi]+"),
    "sip": re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?:-\d{1,3}(?:\.\d{1,3}){3})?"),
    "spr": re.compile(r"https(?:,http)?|http,https"),
    "sv": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "st": re.compile(r"\d{4}-\d{2}-\d{2}(?:T[\d:%A-Fa-f.]{2,20}Z?)?"),
    "se": re.compile(r"\d{4}-\d{2}-\d{2}(?:T[\d:%A-Fa-f.]{2,20}Z?)?"),
    "sr": re.compile(r"[bcfsod]|b[sv]"),
}


def is_malformed_sas_token(secret_type: str, line: str) -> bool:
    """A SAS signature whose other fields Azure would reject (permission `q`, an IP of three
    octets): a look-alike, as no service issues such a token."""
    if secret_type != "Azure Credential" or "sig=" not in line:
        return False
    return any(not _SAS_VALUES[field].fullmatch(value) for field, value in _SAS_FIELD_RE.findall(line))


FILTERS: tuple[Callable[..., bool], ...] = (
    is_placeholder,
    is_name_echo,
    is_timestamp,
    is_environment_reference,
    is_indirect_reference,
    is_dummy_in_test_fixture,
    is_lockfile_or_digest,
    is_commit_sha,
    is_password_hash,
    is_uuid,
    is_blockchain_address,
    is_key_identifier,
    is_public_key_material,
    is_vendor_example,
    is_parameters_without_secret,
    is_malformed_sas_token,
    is_placeholder_basic_auth,
)
_INJECTED: tuple[tuple[Callable[..., bool], tuple[str, ...]], ...] = tuple(
    (function, tuple(inspect.signature(function).parameters)) for function in FILTERS
)


def dropped_by(**known: str) -> str | None:
    """The name of the first filter that drops this candidate, or None to keep it."""
    for function, parameters in _INJECTED:
        if function(**{parameter: known[parameter] for parameter in parameters}):
            return function.__name__
    return None
