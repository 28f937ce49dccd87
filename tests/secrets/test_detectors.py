"""The detectors: what each finds and what each leaves alone."""

import json

from hooks.secrets import detectors
from hooks.secrets.engine import scan_source
from hooks.secrets.syntax import Scope


def kinds(path: str, text: str) -> list[tuple[int, str]]:
    return [(d.finding.line, d.finding.kind) for d in scan_source(path, text)]


def test_each_venue_is_named_by_its_own_plugin(gen):
    text = "\n".join([
        f"OANDA_TOKEN={gen.oanda()}",
        f"APCA_API_KEY_ID={gen.alpaca_id()}",
        f"APCA_API_SECRET_KEY={gen.alnum(40)}",
        f"BINANCE_API_SECRET={gen.alnum(64)}",
        f"KRAKEN_PRIVATE_KEY={gen.b64(64)}",
        f"POLYGON_API_KEY={gen.alnum(32)}",
        f"COINBASE_API_PASSPHRASE={gen.passphrase()}",
        f"TWS_PASSWORD={gen.password()}",
        f"IBIND_OAUTH1A_ACCESS_TOKEN_SECRET={gen.b64(128)}",
        f"AWS_ACCESS_KEY_ID={gen.aws_id()}",
        f"JWT_SECRET={gen.alnum(48)}",
    ])
    assert [kind for _, kind in kinds(".env", text)] == [
        "OANDA v20 Token", "Alpaca API Key", "Alpaca API Key", "Binance API Key", "Kraken API Key",
        "Polygon API Key", "Coinbase API Key", "IBKR Credential", "IBKR Credential", "AWS Credential",
        "Hard-coded Credential",
    ]


def test_a_shape_wins_over_the_name_it_is_assigned_to(gen):
    assert kinds("bot.py", f'api_key = "{gen.oanda()}"') == [(1, "OANDA v20 Token")]


def test_positional_keys_take_the_venue_of_the_imported_sdk(gen):
    text = f'from binance.client import Client\nclient = Client("{gen.alnum(64)}", "{gen.alnum(64)}")\n'
    assert kinds("bot.py", text) == [(2, "Binance API Key"), (2, "Binance API Key")]
    unknown = f'client = Client("{gen.alnum(64)}", "{gen.alnum(64)}")\n'
    assert {kind for _, kind in kinds("bot.py", unknown)} == {"Client Credential Argument"}


def test_ibc_config_passwords_but_not_its_demo_login(gen):
    pw = gen.password()
    text = f"IbLoginId=traderjoe\nIbPassword={pw}\nPasswordEncrypted=no\nTradingMode=paper\n"
    assert kinds("config.ini", text) == [(2, "IBKR Credential")]
    assert kinds("config.ini", "IbLoginId=edemo\nIbPassword=demouser\n") == []


def test_private_keys_need_a_body_not_just_a_header(gen):
    pem = gen.pem("RSA PRIVATE KEY", 600)
    assert kinds("id_rsa", pem) == [(1, "PEM Private Key")]
    escaped = pem.replace("\n", "\\n")
    assert kinds("sa.json", f'{{\n  "private_key": "{escaped}"\n}}\n') == [(2, "PEM Private Key")]
    mention = 'if text.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n    return True\n'
    assert kinds("pem.py", mention) == []
    prose = "Paste it between -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY-----.\n"
    assert kinds("README.md", prose) == []


def test_openssh_and_encrypted_pem_bodies_are_found(gen):
    assert kinds("id_ed25519", gen.pem("OPENSSH PRIVATE KEY", 300)) == [(1, "PEM Private Key")]
    body = gen.pem("RSA PRIVATE KEY", 600).split("\n", 1)[1]
    encrypted = f"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{gen.hex(32).upper()}\n\n{body}"
    assert kinds("key.pem", encrypted) == [(1, "PEM Private Key")]


def test_a_coinbase_cdp_key_is_its_private_key_beside_its_name(gen):
    name = f"organizations/{gen.uuid()}/apiKeys/{gen.uuid()}"
    pem = gen.pem("EC PRIVATE KEY", 89).replace("\n", "\\n")
    text = json.dumps({"name": name, "privateKey": "PLACEHOLDER"}, indent=2).replace("PLACEHOLDER", pem)
    assert kinds("cdp_api_key.json", text) == [(3, "Coinbase CDP API Key")]
    ed25519 = json.dumps({"name": name, "privateKey": gen.b64(64)}, indent=2)
    assert kinds("cdp_api_key.json", ed25519) == [(3, "Coinbase CDP API Key")]


def test_webhooks_and_token_formats(gen):
    text = "\n".join([
        gen.slack_webhook(), gen.discord_webhook(), gen.teams_webhook(), gen.telegram(), gen.github(),
        gen.google(), f"xoxb-{gen.digits(12)}-{gen.digits(13)}-{gen.alnum(24)}",
    ])
    assert [kind for _, kind in kinds("alerts.txt", text)] == [
        "Slack Webhook", "Discord Webhook", "Microsoft Teams Webhook", "Telegram Bot API Token",
        "GitHub Access Token", "Google API Key", "Slack API Token",
    ]


def test_passwords_in_urls_but_not_placeholders_or_the_user_repeated(gen):
    assert kinds(".env", f"DATABASE_URL=postgres://bot:{gen.password()}@db:5432/x") == [(1, "Password in URL")]
    for bait in ("postgres://user:password@localhost/db", "postgres://postgres:postgres@db/x", "redis://:${REDIS_PASSWORD}@redis:6379"):
        assert kinds(".env", f"URL={bait}") == [], bait


def test_matches_never_show_their_value(gen):
    token = gen.oanda()
    match = next(next(d for d in detectors.DETECTORS if d.secret_type == "OANDA v20 Token").find(Scope(f"token: {token}")))
    assert token not in repr(match)
    assignment = Scope(f"password: {gen.password()}").assignments[0]
    assert assignment.value not in repr(assignment)


def test_a_value_that_claims_a_format_and_fails_it_is_not_reported_under_any_name(gen):
    # `dapi` then 32 hex is a Databricks token; `dapi` then mixed letters fails the format.
    assert kinds(".env", f"DATABRICKS_TOKEN=dapi{gen.hex(32)}") == [(1, "Databricks Token")]
    assert kinds(".env", f"DATABRICKS_TOKEN=dapi{gen.alnum(36)}") == []
    assert kinds(".env", "DATABRICKS_TOKEN=dapi" + "x7ab") == []
    # A distinctive prefix claims its format under a generic name too: a `cfut_` token cut short.
    assert kinds(".env", f"TOKEN=cfut_{gen.alnum(20)}") == []
    assert kinds(".env", f"TOKEN={gen.alnum(24)}") == [(1, "Hard-coded Credential")]
    # Three characters and a separator claim too (`hf_`), and a searched format its opening (`sgp_`);
    # a prefix many vendors share (`sk_`) claims nothing.
    assert kinds(".env", f"TOKEN=hf_{gen.alnum(20)}") == []
    assert kinds(".env", f"TOKEN=sgp_{gen.hex(39)}") == []
    assert kinds(".env", f"TOKEN=sk_{gen.hex(48)}") == [(1, "Hard-coded Credential")]


def test_a_two_letter_prefix_under_its_providers_name_leaves_a_generic_credential(gen):
    # An Alpaca secret may open with `PK` by chance: it is not an Alpaca key id, still a secret.
    assert kinds(".env", f"APCA_API_SECRET_KEY=PK{gen.alnum(38)}") == [(1, "Hard-coded Credential")]


def test_under_a_name_with_one_key_shape_only_that_shape_is_the_providers(gen):
    assert kinds(".env", f"TELEGRAM_BOT_TOKEN={gen.digits(9)}:A{gen.alnum(34)}") == [(1, "Telegram Bot API Token")]
    assert kinds(".env", f"TELEGRAM_BOT_TOKEN={gen.digits(4)}:A{gen.alnum(34)}") == []
    assert kinds(".env", f"TELEGRAM_BOT_TOKEN={gen.alnum(40)}") == []
    # A password under the name is a password, whatever the provider's keys look like.
    assert kinds(".env", f"TELEGRAM_PASSWORD={gen.password()}") == [(1, "Telegram Bot API Token")]


def test_a_value_of_a_providers_exact_shape_under_its_word_needs_no_credential_word(gen):
    text = f'cloudflare: "{gen.hex(37)}"\nsonar.login = "{gen.alnum(40)}"\n"artifactory", "{gen.alnum(64)}"\n'
    assert kinds("settings.yaml", text) == [
        (1, "Cloudflare Global API Key"), (2, "Sonar Token"), (3, "JFrog Identity Token"),
    ]
    # The same values under words that name no provider, or of another length, are nothing.
    text = f'colour: "{gen.hex(37)}"\ncloudflare: "{gen.hex(36)}"\n"artifactory", "{gen.alnum(50)}"\n'
    assert kinds("settings.yaml", text) == []


def test_a_curl_header_carries_a_credential_shorter_than_a_random_token(gen):
    assert kinds("deploy.sh", f'curl -X POST --header "Api-Token: {gen.alnum(11)}" https://x.internal\n') == [
        (1, "Command-line Credential"),
    ]
    assert kinds("deploy.sh", 'curl -H "Accept: application/json" -H "X-Api-Key: $API_KEY" https://x.internal\n') == []


def test_a_shell_expansion_reports_only_a_fallback_that_is_a_password(gen):
    password = gen.password()
    assert kinds("docker-compose.yml", f"x:\n  DB_PASSWORD: ${{DB_PASSWORD:-{password}}}\n") == [(2, "Hard-coded Credential")]
    assert kinds("docker-compose.yml", "x:\n  DB_PASSWORD: ${DB_PASSWORD:-admin}\n") == []
    assert kinds("docker-compose.yml", "x:\n  API_TOKEN: ${API_TOKEN:?set the token}\n") == []


def test_a_one_dash_long_option_is_not_a_password_argument(gen):
    assert kinds("grind.sh", 'fuzz -max_total_time="$secs" -print_final_stats=1 corpus/\n') == []
    assert kinds("db.sh", f"mysql -u trader -p{gen.password()} fills\n") == [(1, "Command-line Credential")]
