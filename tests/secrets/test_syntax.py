"""How names, values and client calls are read out of text, in every syntax a repository holds."""

import time

import pytest

from hooks.secrets.syntax import Scope, credential_kind, credential_literals, looks_random, split_name


@pytest.mark.parametrize(
    ("name", "segments"),
    [
        ("FIXPassword", ("fix", "password")),
        ("IbPassword", ("ib", "password")),
        ("x-api-key", ("x", "api", "key")),
        ("APCA_API_SECRET_KEY", ("apca", "api", "secret", "key")),
        ("apiKey", ("api", "key")),
        ("spring.datasource.password", ("spring", "datasource", "password")),
    ],
)
def test_names_split_at_separators_and_camel_humps(name, segments):
    assert split_name(name) == segments


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("TWS_PASSWORD", "password"),
        ("COINBASE_API_PASSPHRASE", "password"),
        ("db_pass", "password"),
        ("api_key", "secret"),
        ("binance_key", "secret"),
        ("AccountKey", "secret"),
        ("client_secret", "secret"),
        ("access_token", "secret"),
        ("Authorization", "secret"),
        ("key", "secret"),
        ("sort_key", None),
        ("cache_key", None),
        ("public_key", None),
        ("APCA_API_KEY_ID", None),
        ("TWS_PASSWORD_FILE", None),
        ("password_min_length", None),
        ("PasswordEncrypted", None),
        ("secret_name", None),
        ("token_url", None),
        ("max_tokens", None),
        ("hashed_secret", None),
        ("next_page_token", None),
        ("user_auth", "secret"),
        ("account_key", "secret"),
        ("auth_user", None),
        ("login_url", None),
        ("ClearTextPassword", "password"),
        ("password_text", None),
        ("invalid_token", None),
        ("wrongPassword", None),
        ("nonMatchingToken", None),
    ],
)
def test_a_name_is_a_credential_name_only_when_it_holds_one(name, kind):
    assert credential_kind(split_name(name)) == kind


def values(text: str, filename: str = "x.env") -> list[tuple[str, str]]:
    return [(a.name, a.value) for a in Scope(text, filename).assignments]


def test_every_assignment_syntax_gives_the_name_and_the_literal(gen):
    token, pw = gen.alnum(40), gen.password()
    cases = {
        "settings.py": (f'API_SECRET = "{token}"', "API_SECRET"),
        "typed.py": (f'api_secret: str = "{token}"', "api_secret"),
        "kw.py": (f'Client(api_secret="{token}")', "api_secret"),
        "dict.py": (f'{{"api_secret": "{token}"}}', "api_secret"),
        "env.py": (f'os.environ["API_SECRET"] = "{token}"', "API_SECRET"),
        "cfg.yaml": (f"api_secret: {token}", "api_secret"),
        "cfg.json": (f'{{"api_secret": "{token}"}}', "api_secret"),
        "cfg.toml": (f'api_secret = "{token}"', "api_secret"),
        ".env": (f"export API_SECRET={token}", "API_SECRET"),
        "app.go": (f'apiSecret := "{token}"', "apiSecret"),
        "app.js": (f'const config = {{ apiSecret: "{token}" }};', "apiSecret"),
        "Dockerfile": (f"ENV API_SECRET {token}", "API_SECRET"),
        "compose.yml": (f"      - API_SECRET={token}", "API_SECRET"),
        "Makefile": (f'API_SECRET ?= "{token}"', "API_SECRET"),
        "rules.mk": (f'API_SECRET ::= "{token}"', "API_SECRET"),
        "more.mk": (f'API_SECRET += "{token}"', "API_SECRET"),
    }
    for filename, (line, name) in cases.items():
        assert values(line, filename) == [(name, token)], filename
    assert values(f"IbPassword={pw}", "config.ini") == [("IbPassword", pw)]
    assert values(f"machine host login me password {pw}", ".netrc") == [("password", pw)]
    assert values(f'<add key="ClearTextPassword" value="{pw}" />', "NuGet.Config") == [("ClearTextPassword", pw)]
    assert values(f'<add key="Timeout" value="{pw}" />', "app.config") == []
    # The setting declares its value a cleartext password: one that reads as words is one too.
    words = "MarketMaker" + "Password"  # built here, so the project's own scan finds no setting in this file
    assert values('<add key="ClearTextPassword" value="' + words + '" />', "NuGet.Config") == [("ClearTextPassword", words)]
    assert values(f'password = "{words}"', "settings.py") == []


def test_kubernetes_name_value_pairs_span_two_lines(gen):
    token = gen.b64(64)
    text = f"env:\n  - name: KRAKEN_API_SECRET\n    value: \"{token}\"\n  - name: LOG_LEVEL\n    value: info\n"
    assert values(text, "deploy.yaml") == [("KRAKEN_API_SECRET", token)]


def test_in_code_an_unquoted_value_is_an_expression_unless_inside_a_string(gen):
    pw = gen.password()
    assert values('api_key = os.environ["API_KEY"]', "bot.py") == []
    assert values("password = get_password()", "bot.py") == []
    assert values(f'connect("dbname=x user=y password={pw} host=z")', "bot.py") == [("password", pw)]
    assert values(f'get("https://api.example/v1?symbol=X&apiKey={gen.alnum(32)}")', "bot.py")[0][0] == "apiKey"


def test_bearer_and_basic_schemes_are_not_part_of_the_value(gen):
    token = gen.alnum(40)
    assert values(f'headers = {{"Authorization": "Bearer {token}"}}', "bot.py") == [("Authorization", token)]
    assert values(f'curl -H "Authorization: Bearer {token}" https://x', "run.sh") == [("Authorization", token)]


def test_values_that_are_words_paths_or_references_are_not_credentials():
    for line in (
        'api_key = "my-api-key-name"',
        'secret_key = "ProductionSecretKey"',
        'private_key = "./keys/private_encryption.pem"',
        'api_token = "https://api.example.com/token"',
        'password = "Passwort vergessen?"',
        'password = "hunter"',
    ):
        assert values(line, "settings.py") == [], line


def test_random_letters_without_digits_still_look_random():
    assert looks_random("plWbQufTeTQkUIkiDkyxBTIxOgiALEzj")
    assert not looks_random("ProductionSecretKeyName")


def test_a_namespaced_name_is_an_identifier_not_a_key(gen):
    # An XML type reference: a letter-and-number namespace, then words.
    assert not looks_random("clm" + gen.digits(5) + ":AgencyIdentificationCodeContentType")
    assert looks_random("clm" + gen.digits(5) + ":" + gen.alnum(30))


def test_positional_client_literals_are_credentials_when_one_looks_machine_made(gen):
    key, secret, passphrase = gen.hex(32), gen.b64(64), gen.passphrase()
    scope = Scope(
        f'c = cbpro.AuthenticatedClient(\n    "{key}",\n    "{secret}",\n    "{passphrase}",\n)\n'
        f'r = REST("{gen.alpaca_id()}", "{gen.alnum(40)}", "https://api.alpaca.markets")\n'
        'd = Client("dummy", "values")\n',
        "bot.py",
    )
    found = [[literal.value for literal in credential_literals(call)] for call in scope.client_calls]
    assert found[0] == [key, secret, passphrase]
    assert len(found[1]) == 2 and all("alpaca.markets" not in value for value in found[1])
    assert found[2] == []


def test_an_e_mail_login_is_not_taken_for_the_password(gen):
    pw = gen.password()
    scope = Scope(f'smtp.login("alerts@trading.example", "{pw}")', "bot.py")
    assert [literal.value for call in scope.client_calls for literal in credential_literals(call)] == [pw]


@pytest.mark.parametrize(
    "line",
    [
        " " * 200_000,
        "a=" * 100_000,
        "password" * 25_000,
        "key" * 60_000 + "=x",
        "api_key = " + '"' * 100_000,
        "Client(" + '"x", ' * 40_000,
        "x" * 200_000 + "password=",
    ],
    ids=["spaces", "assignments", "keywords", "keys", "quotes", "arguments", "long-identifier"],
)
def test_a_pathological_line_is_parsed_in_linear_time(line):
    started = time.perf_counter()
    scope = Scope(line, "x.py")
    scope.assignments, scope.client_calls
    assert time.perf_counter() - started < 1.0


def test_a_coin_named_token_is_no_credential_name():
    for name in ("tokenIn", "quote_token", "token0", "tokenProgram", "UNKNOWN_TOKEN_X", "tokenVaultA"):
        assert credential_kind(split_name(name)) is None, name
    for name in ("access_token_a", "api_token_0", "x-token", "vault_token", "bot_token"):
        assert credential_kind(split_name(name)) == "secret", name
