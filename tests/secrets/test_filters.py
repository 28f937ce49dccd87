"""The filters that keep reports true, and the stock detect-secrets filters they replace."""

import time

import pytest

from hooks.secrets import filters


@pytest.mark.parametrize(
    "value",
    ["<your-oanda-token>", "${BINANCE_SECRET}", "{{ .Values.password }}", "xxxxxxxxxxxxxxxx", "changeme",
     "your_polygon_key", "REPLACE_ME", "fakeSecretValue", "********", "abcdef123456", "%(password)s", "{api_key}"],
)
def test_placeholders_are_dropped(value):
    assert filters.is_placeholder(value)


def test_runs_typed_again_and_again_are_placeholders(gen):
    assert filters.is_placeholder("a1b2c3d4e5f6" * 2 + "a1b2c3d4")
    assert filters.is_placeholder("".join(char * 4 for char in "1234abcd") * 2)
    for _ in range(200):  # random keys of every alphabet stay keys
        assert not filters.is_placeholder(gen.hex(32)) and not filters.is_placeholder(gen.alnum(40))


def test_a_placeholder_word_inside_a_random_string_is_not_a_placeholder():
    # The letters of "FAKE" occur by chance in about one 88-character key in a thousand.
    assert not filters.is_placeholder("AVTfQA5T41VrdSXg85r5XBboilNCdsssHmNgElU1QOXry6Rxwtu2vijYNMFuYCO0j58ky1MZIRFAKEUGRhKjOg==")


@pytest.mark.parametrize("value", ["$OANDA_TOKEN", "${TWS_PASSWORD}", "os.environ['K']", "OANDA_TOKEN", "op://vault/oanda/token", "%APCA_SECRET%"])
def test_environment_references_are_dropped(value):
    assert filters.is_environment_reference(value)


def test_a_host_named_environment_is_no_environment_reference():
    assert not filters.is_environment_reference("https://default1.62.environment.api.powerplatform.com/workflows")
    assert filters.is_environment_reference("os.environ.get('K')")


@pytest.mark.parametrize("value", ["get_secret()", 'cfg["api_key"]', "settings.API_KEY", "self.api_secret"])
def test_indirect_references_are_dropped(value):
    assert filters.is_indirect_reference(value)


def test_dummies_in_tests_are_dropped_but_random_keys_in_tests_are_not(gen):
    assert filters.is_dummy_in_test_fixture("test-api-key-123456", "tests/test_client.py")
    assert filters.is_dummy_in_test_fixture("aaaaaaaabbbbbbbb", "tests/fixtures/keys.json")
    assert not filters.is_dummy_in_test_fixture(gen.alnum(64), "tests/test_client.py")
    assert not filters.is_dummy_in_test_fixture("test-api-key-123456", "bot/client.py")
    assert filters.is_dummy_in_test_fixture(f"test-token-{gen.uuid()}", "adapters/x/test_data/auth.json")


def test_a_leading_run_of_one_digit_is_filler_but_of_one_letter_a_formats_padding(gen):
    assert filters.is_placeholder(f"{'1' * 10}:12345:5:{gen.hex(64)}", "token")
    assert not filters.is_placeholder("A" * 22 + gen.alnum(80), "token")


def test_hashes_digests_and_identifiers_are_dropped(gen):
    assert filters.is_lockfile_or_digest("poetry.lock", f'hash = "sha256:{gen.hex(64)}"', "Hard-coded Credential")
    assert filters.is_lockfile_or_digest(".pre-commit-config.yaml", f"    rev: {gen.hex(40)}", "Hard-coded Credential")
    assert not filters.is_lockfile_or_digest("poetry.lock", "url = x", "Password in URL")
    assert filters.is_commit_sha(gen.hex(40), "COMMIT = ...  # git rev")
    assert filters.is_uuid(gen.uuid(), "")
    assert filters.is_password_hash("$2b$12$" + gen.alnum(53))
    assert filters.is_key_identifier(f"organizations/{gen.uuid()}/apiKeys/{gen.uuid()}")
    assert filters.is_key_identifier("101-001-1234567-001")
    assert filters.is_public_key_material("AAAA", "ssh-ed25519 AAAAC3Nz... me@host")
    assert filters.is_vendor_example("AKIAIOSFODNN7EXAMPLE")
    assert filters.is_vendor_example("33f!!lloppa")  # nuget.config's documented sample password


def test_filters_receive_only_the_arguments_they_name(gen):
    assert filters.dropped_by(secret="${X}", line="", filename="a", secret_type="t", name="n") == "is_placeholder"
    assert filters.dropped_by(secret=gen.alnum(40), line="", filename="a", secret_type="t", name="n") is None


def test_the_stock_indirect_reference_filter_is_cubic_and_ours_is_not():
    from detect_secrets.filters.heuristic import is_indirect_reference as stock

    line = "a" + " " * 300 + "b"
    started = time.perf_counter()
    stock(line)
    stock_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for value in (line, " " * 100_000, "x(" * 50_000):
        filters.is_indirect_reference(value)
    ours_seconds = time.perf_counter() - started
    assert ours_seconds < 0.01 < stock_seconds


def test_the_stock_id_filter_hides_a_secret_that_ours_reports(gen):
    from detect_secrets.filters.heuristic import is_likely_id_string

    from hooks.secrets.engine import scan_source

    secret = gen.alnum(40)
    line = f'{{"client_id": "trading-bot", "client_secret": "{secret}"}}'
    assert is_likely_id_string(secret=secret, line=line)
    assert [d.finding.line for d in scan_source("oauth.json", line)] == [1]


def test_a_uuid_under_an_explicit_secret_name_is_kept(gen):
    for name in ("KUCOIN_API_SECRET", "HEROKU_API_KEY", "_authToken"):
        assert not filters.is_uuid(gen.uuid(), name), name
    assert filters.is_uuid(gen.uuid(), "key")


def test_public_addresses_masked_keys_and_placeholders_are_dropped(gen):
    assert filters.is_blockchain_address("0x" + gen.hex(40), "")
    assert not filters.is_blockchain_address("0x" + gen.hex(64), "private_key")
    assert filters.is_blockchain_address("rP9" + "jPyP5kyvFRb6ZiLdcyzmUZ1Zp5t2V7R", "get_account.return_value")
    assert not filters.is_blockchain_address("5Bnr" + "1LtPzXwFBd8z4F1ceR42yycUeUt4zoiDChW7c", "agent_wallet_private_key")
    assert filters.is_placeholder("***REMOVED***")
    assert filters.is_placeholder(gen.alnum(6) + "XXX_" + gen.alnum(10))
    assert filters.is_placeholder(gen.alnum(8) + "\u2026")
    assert not filters.is_placeholder(gen.alnum(40))


def test_under_an_explicit_secret_name_only_documented_stand_ins_drop_a_value():
    # The peers' own test keys are built of digit and letter runs; under `SNYK_TOKEN` they are keys.
    runs_key = "12345678-" + "ABCD-" * 3 + "1234567890AB"
    assert filters.is_placeholder(runs_key)  # unnamed: a made-up value
    assert not filters.is_placeholder(runs_key, "SNYK_TOKEN")
    assert filters.is_placeholder(runs_key, "key")  # a bare `key` says nothing
    assert filters.is_placeholder("0x" + "0123456789abcdef" * 4, "private_key")
    for stand_in in ("abcdef123456", "sk_" + "abcdefghijklmnopqrstuvwxyz" + "123", "${SNYK_TOKEN}", "changeme", "x" * 16):
        assert filters.is_placeholder(stand_in, "SNYK_TOKEN")


def _hs256(payload: dict, secret: bytes) -> str:
    import base64
    import hashlib
    import hmac
    import json

    def encode(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signed = encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + encode(json.dumps(payload).encode())
    return signed + "." + encode(hmac.new(secret, signed.encode(), hashlib.sha256).digest())


def test_a_jwt_signed_with_a_jwt_io_example_secret_is_an_example(gen):
    payload = {"sub": gen.alnum(10), "name": "trader"}
    assert filters.is_vendor_example(_hs256(payload, b"a-string-secret-at-least-256-bits-long"))
    assert filters.is_vendor_example(_hs256(payload, b"your-256-bit-secret"))
    assert not filters.is_vendor_example(_hs256(payload, gen.alnum(32).encode()))
    assert not filters.is_vendor_example("eyJ" + gen.alnum(20) + "." + gen.alnum(20) + "." + gen.alnum(20))


def test_parameters_without_a_secret_are_not_a_credential(gen):
    assert filters.is_parameters_without_secret("st=2025-03-04T07:24:52Z&se=2025-04-04T15:24:52Z&spr=https&sr=c")
    assert not filters.is_parameters_without_secret(f"sv=2022-11-02&sr=c&sig={gen.alnum(43)}")
    assert filters.is_parameters_without_secret("st=2025-03-04T07:24:52Z")
    assert not filters.is_parameters_without_secret(gen.alnum(40))
    assert not filters.is_parameters_without_secret(gen.b64(30))


def test_a_token_with_an_equals_sign_is_not_taken_for_parameters(gen):
    assert not filters.is_parameters_without_secret("pscale_tkn_" + gen.alnum(3) + "=" + gen.alnum(40))


def test_a_sas_token_with_fields_azure_rejects_is_a_look_alike(gen):
    sig = f"sig={gen.alnum(43)}%3D"
    valid = f"sp=racwdl&st=2025-03-04T07:24:52Z&se=2025-04-04T15:24:52Z&sip=10.1.6.50&spr=https&sv=2022-11-02&sr=c&{sig}"
    assert not filters.is_malformed_sas_token("Azure Credential", f"AZURE_SAS={valid}")
    assert filters.is_malformed_sas_token("Azure Credential", "AZURE_SAS=" + valid.replace("sp=racwdl", "sp=rqx"))
    assert filters.is_malformed_sas_token("Azure Credential", "AZURE_SAS=" + valid.replace("10.1.6.50", "10.1.6"))
    assert not filters.is_malformed_sas_token("Hard-coded Credential", "AZURE_SAS=" + valid.replace("sp=racwdl", "sp=rqx"))


def test_a_vendors_published_key_of_any_format_is_known_by_its_hash(gen, monkeypatch):
    import hashlib

    published, other = "sk_test_" + gen.alnum(24), "sk_test_" + gen.alnum(24)
    monkeypatch.setattr(filters, "PUBLIC_CLIENT_KEY_HASHES", frozenset({hashlib.sha1(published.encode()).hexdigest()}))
    assert filters.is_vendor_example(published)
    assert not filters.is_vendor_example(other)


def _derived_dev_key(index: int) -> str:
    """Account `index` of the published `test ... junk` mnemonic (BIP39, BIP32 m/44'/60'/0'/0/i),
    derived here so that no key literal sits in the repository."""
    import hashlib
    import hmac

    prime, order = 2**256 - 2**32 - 977, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    generator = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
                 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)

    def add(a, b):
        if a is None or b is None:
            return a or b
        if a == b:
            slope = 3 * a[0] * a[0] * pow(2 * a[1], -1, prime) % prime
        else:
            slope = (b[1] - a[1]) * pow(b[0] - a[0], -1, prime) % prime
        x = (slope * slope - a[0] - b[0]) % prime
        return x, (slope * (a[0] - x) - a[1]) % prime

    def public(k):
        point, result = generator, None
        while k:
            result, point, k = add(result, point) if k & 1 else result, add(point, point), k >> 1
        return bytes([2 + (result[1] & 1)]) + result[0].to_bytes(32, "big")

    def child(key, chain, index):
        data = b"\0" + key.to_bytes(32, "big") if index >= 2**31 else public(key)
        digest = hmac.new(chain, data + index.to_bytes(4, "big"), hashlib.sha512).digest()
        return (int.from_bytes(digest[:32], "big") + key) % order, digest[32:]

    words = " ".join(["test"] * 11 + ["junk"]).encode()
    root = hmac.new(b"Bitcoin seed", hashlib.pbkdf2_hmac("sha512", words, b"mnemonic", 2048), hashlib.sha512).digest()
    key, chain = int.from_bytes(root[:32], "big"), root[32:]
    for step in (44 + 2**31, 60 + 2**31, 2**31, 0, index):
        key, chain = child(key, chain, step)
    return format(key, "064x")


def test_the_developer_chains_published_keys_are_examples(gen):
    assert filters.is_vendor_example("0x" + _derived_dev_key(0))
    assert filters.is_vendor_example(_derived_dev_key(9).upper())
    assert not filters.is_vendor_example("0x" + gen.hex(64))


def test_basic_credentials_are_judged_by_the_password_they_decode_to(gen):
    import base64

    def basic(pair: str) -> str:
        return base64.b64encode(pair.encode()).decode()

    for weak in ("user:pw", "admin:changeme", "trader:trader"):
        assert filters.is_placeholder_basic_auth(basic(weak), f'headers = {{"Authorization": "Basic {basic(weak)}"}}')
    strong = basic(f"trader:{gen.password()}")
    assert not filters.is_placeholder_basic_auth(strong, f'headers = {{"Authorization": "Basic {strong}"}}')
    assert not filters.is_placeholder_basic_auth(basic("user:pw"), f"token = {basic('user:pw')}")
    key_as_user = basic(gen.alnum(32) + ":")
    assert not filters.is_placeholder_basic_auth(key_as_user, f"curl -H 'Authorization: Basic {key_as_user}'")


def test_words_a_person_typed_in_a_test_are_a_tests_password(gen):
    for typed in ("strongpass123", "accountsCRUD1!", "recovery_pw", "admin-pass-123"):
        assert filters.is_dummy_in_test_fixture(typed, "tests/test_wallets.py"), typed
        assert not filters.is_dummy_in_test_fixture(typed, "bot/wallets.py"), typed
    for _ in range(100):
        assert not filters.is_dummy_in_test_fixture(gen.alnum(24), "tests/test_wallets.py")
