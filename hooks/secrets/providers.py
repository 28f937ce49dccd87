"""The one table of what tradeguard detects: every provider's token format, names and examples.

Each `Provider` row feeds, from this one place:

- the detectors (`hooks.secrets.detectors` builds one per row, in this order of priority);
- the syntax layer (`names` are venue words: `kucoin_secret`, `STRIPE_KEY` are credential names,
  and a value under them is typed as the provider's);
- the precheck (`prefixes` and `triggers` are what a text must hold for the row to run);
- the documentation (`tradeguard rule TG301`, docs/secrets.md: `doc`, `group`);
- the tests (`valid` examples must be reported as `secret_type`, `invalid` ones must not).

Examples are templates, expanded at test time with random characters (`expand`), so no
credential-shaped literal sits in the repository: ``{a24}`` is 24 letters and digits, ``{l}``
lower-case letters and digits, ``{u}`` upper-case letters and digits, ``{h}`` lower-case hex,
``{H}`` upper-case hex, ``{d}`` digits, ``{b}`` base64, ``{s}`` base64url, ``{uuid}`` a UUID,
``{jwt}`` a signed JWT, ``{discord}`` a Discord bot token.

A row with `prefixes` is a token format: it is tried where a run of token characters starts
with one of them, and `pattern` must match there. A row without prefixes has its `pattern`
searched in texts holding one of its `triggers`. A row with neither (a broker known only by
its names) is found through credential names and SDK client calls. `name_format` is the shape
every key or token under the row's names has (a Telegram name holds bot tokens): a value under
them that does not fit it is not reported (a password under them still is). `detector` names a
class with logic of its own (private keys, JWTs, URLs...). Patterns are written for this project
from the providers' published formats; no detector verifies anything over the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random


@dataclass(frozen=True, slots=True)
class Provider:
    secret_type: str
    doc: str
    group: str
    prefixes: tuple[str, ...] = ()
    pattern: str = ""
    triggers: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    client_classes: tuple[str, ...] = ()
    sdk_modules: tuple[str, ...] = ()
    name_format: str = ""
    detector: str = ""
    valid: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """`StripeApiKeyDetector`: the detector's (and detect-secrets plugin's) class name."""
        return "".join(word[:1].upper() + word[1:].lower() for word in re.split(r"\W+", self.secret_type) if word) + "Detector"


def _token(secret_type: str, doc: str, group: str, prefixes: tuple[str, ...], pattern: str,
           valid: tuple[str, ...], invalid: tuple[str, ...] = (), names: tuple[str, ...] = ()) -> Provider:
    return Provider(secret_type, doc, group, prefixes=prefixes, pattern=pattern, valid=valid, invalid=invalid, names=names)


def named(words: str, value: str, tail: str = r"[\w.-]{0,30}") -> str:
    """A pattern for a value of a provider's own shape given to a name that holds one of its
    `words` (a regex; case-insensitive): `cloudflare: "..."`, `SONAR.LOGIN ::= "..."`,
    `export SUMO_ACCESSID="..."`, `"artifactory", "..."`. The name is the `name` group, the value
    the `secret` group. A shape this exact needs no credential word in the name."""
    return (rf"(?P<name>(?i:{words}){tail})[\"'`\]]?[ \t]{{0,5}}(?::{{1,3}}=|=>|\|\||[:=,])[ \t]{{0,5}}[\"'`]?"
            rf"(?P<secret>{value})(?![A-Za-z0-9_-])")


def near(words: str, value: str, tag: str = "") -> str:
    """A pattern for a value of a provider's own key shape standing shortly after the provider's
    word on the same line, set off by spaces or quotes (`kucoin key 'f0e1...'`, a ticket's
    `bitmex secret: ...`); the value must also look machine-made (`NearbyKeyDetector`). `tag`
    tells the groups of two such patterns joined by `|` apart."""
    return (rf"(?P<name{tag}>(?i:{words}))[^\n]{{0,40}}?(?<=[\s\"'`(,:])(?P<secret{tag}>{value})"
            rf"(?![A-Za-z0-9+/=_.-])")


BROKERS = "Brokers, exchanges and market data"
CLOUD = "Cloud and infrastructure"
CODE = "Code hosting, CI and package registries"
MESSAGING = "Messaging, alerting and webhooks"
PAYMENTS = "Payments and commerce"
AI = "AI APIs"
SAAS = "Other services"
GENERIC = "Keys and credentials of any provider"
# The order the documentation lists them in.
GROUPS = (BROKERS, CLOUD, CODE, MESSAGING, PAYMENTS, AI, SAAS, GENERIC)

PROVIDERS: tuple[Provider, ...] = (
    # -- formats with logic of their own, first: they name what they find most precisely ------
    Provider("Coinbase CDP API Key", "a Coinbase Developer Platform private key (EC PEM, `BEGIN ECDSA PRIVATE KEY` "
             "too, or Ed25519 base64) in a text that names the key `organizations/{org}/apiKeys/{id}`",
             BROKERS, triggers=("apikeys/",), detector="CoinbaseCdpKeyDetector",
             valid=('{"name": "organizations/{uuid}/apiKeys/{uuid}", "privateKey": "-----BEGIN ECDSA PRIVATE KEY-----'
                    '\\n{b64}\\n-----END ECDSA PRIVATE KEY-----\\n"}',),
             invalid=('{"name": "organizations/{uuid}/apiKeys/{uuid}", "privateKey": ""}',)),
    Provider("PEM Private Key", "RSA, EC, ECDSA, DSA, PKCS#8, encrypted, OpenSSH and PGP private keys, PuTTY key "
             "files, also inside JSON strings and escaped twice (a service-account JSON embedded in a string)",
             GENERIC, triggers=("private key", "putty-user-key-file"), detector="PemPrivateKeyDetector",
             valid=("-----BEGIN EC PRIVATE KEY-----\n{b64}\n-----END EC PRIVATE KEY-----",),
             invalid=("Paste it between -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY-----.",)),
    Provider("Signed JSON Web Token", "a signed JWT (`eyJ...`), anywhere: logs, YAML lists, CLI arguments, headers; its "
             "header must decode to JSON naming an algorithm", GENERIC, prefixes=("ey",), detector="JwtDetector",
             valid=("Authorization: Bearer {jwt}",), invalid=("eyJ{s30}",)),
    # -- brokers, exchanges, market data ----------------------------------------------------------
    Provider("OANDA v20 Token", "32 hex, a dash, 32 hex, anywhere", BROKERS, names=("oanda",),
             name_format=r"[0-9a-fA-F]{32}-[0-9a-fA-F]{32}", detector="OandaTokenDetector", valid=("{h32}-{h32}",),
             invalid=("{h32}-{h31}", "OANDA_TOKEN={h32}-{h31}x")),
    _token("AWS Credential", "access key ids (`AKIA...`, `ASIA...`), Bedrock API keys (`ABSK...`, "
           "`bedrock-api-key-...`), secret access keys under `aws_*` names", CLOUD,
           ("AKIA", "ASIA", "ABIA", "ACCA", "A3T", "ABSK", "bedrock-api-key-"),
           r"(?:(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[A-Z0-9]{16}|ABSK[A-Za-z0-9+/]{109,269}={0,2}"
           r"|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{20,}={0,2})(?![A-Za-z0-9+/=])",
           ("aws_access_key_id = AKIA{U16}", "<id>{ASIA{u16}}</id>", "ABSK{a120}",
            # Split, so the project's own scan does not take the example for a key.
            "bedrock-api-key-" "YmVkcm9jay5hbWF6b25hd3MuY29t{a200}"),
           ("AKIA{U15}", "ABSK{a50}"), names=("aws",)),
    Provider("Alpaca API Key", "key ids `PK...` (paper) and `AK...` (live), 20 characters; secrets under "
             "`APCA_*`/`alpaca*` names; `REST(\"k\", \"s\")`, `TradingClient(\"k\", \"s\")`", BROKERS,
             prefixes=("PK", "AK"), pattern=r"[AP]K[0-9A-Z]{18}(?![0-9A-Za-z])", names=("alpaca", "apca"),
             client_classes=("REST", "TradingClient", "StockHistoricalDataClient", "CryptoHistoricalDataClient",
                             "OptionHistoricalDataClient", "StockDataStream", "CryptoDataStream", "TradingStream",
                             "Stream"),
             sdk_modules=("alpaca", "alpaca_trade_api"), detector="MixedTokenDetector",
             valid=("APCA_API_KEY_ID=PK{U18}",), invalid=("PK{L18}",)),
    Provider("Coinbase API Key", "legacy Exchange/Pro key, secret and passphrase under `coinbase*`/`cbpro*`/"
             "`gdax*`/`cb_*` names; `cbpro.AuthenticatedClient(\"k\", \"s\", \"p\")`", BROKERS,
             names=("coinbase", "cbpro", "gdax", "cb", "cdp"),
             client_classes=("AuthenticatedClient", "Client", "RESTClient", "WSClient"),
             sdk_modules=("cbpro", "coinbase", "coinbasepro"),
             valid=("COINBASE_API_SECRET={b64}",), invalid=("COINBASE_API_URL=https://api.coinbase.com",)),
    Provider("IBKR Credential", "Interactive Brokers logins: IBC `config.ini` (`IbPassword`, `FIXPassword`), "
             "gateway containers (`TWS_PASSWORD`, `IBEAM_PASSWORD`), Web API OAuth (`IBIND_OAUTH1A_*`)", BROKERS,
             names=("ib", "ibkr", "tws", "ibc", "ibeam", "ibind", "ibgateway", "fix"),
             valid=("TWS_PASSWORD=Xk{a8}#9",), invalid=("TWS_PASSWORD=${TWS_PASSWORD}",)),
    Provider("Binance API Key", "`BINANCE_API_SECRET=...`, `Client(\"k\", \"s\")` with `binance` imported", BROKERS,
             names=("binance",), client_classes=("Client", "AsyncClient", "Spot", "UMFutures", "CMFutures"),
             sdk_modules=("binance",), valid=("BINANCE_API_SECRET={a64}",), invalid=("BINANCE_API_SECRET=",)),
    Provider("Kraken API Key", "`KRAKEN_PRIVATE_KEY=...`, `krakenex.API(\"k\", \"s\")`; a key (56 base64) or private "
             "key (86-88 base64) shortly after the word `kraken`", BROKERS, names=("kraken",),
             client_classes=("API", "KrakenAPI"), sdk_modules=("krakenex", "pykrakenapi", "kraken"),
             triggers=("kraken",), pattern=near("kraken", r"[A-Za-z0-9/+=]{86,88}|[A-Za-z0-9/+=]{56}"),
             detector="NearbyKeyDetector", valid=("kraken_private_key: {b64}", "kraken key '{b56}'"),
             invalid=("kraken_private_key: <your key>", "kraken '{b40}'", "kraken /{b56}")),
    Provider("Polygon API Key", "`POLYGON_API_KEY=...`, `RESTClient(\"k\")` with `polygon` imported, `?apiKey=` on "
             "api.polygon.io", BROKERS, triggers=("polygon",), names=("polygon",),
             pattern=r"api\.polygon\.io/[^\s\"'?]{0,300}\?(?:[^\s\"'#]{0,300}&)?apiKey=(?P<secret>[A-Za-z0-9_]{20,64})",
             client_classes=("RESTClient", "WebSocketClient"), sdk_modules=("polygon",),
             valid=("POLYGON_API_KEY={a32}",), invalid=("https://api.polygon.io/v2/aggs?apiKey=${POLYGON_KEY}",)),
    _token("IEX Cloud Key", "secret tokens (`sk_` and 32 hex)", BROKERS, ("sk_",), r"sk_[a-f0-9]{32}(?![A-Za-z0-9])",
           ("sk_{h32}",), ("sk_{h20}",), names=("iex", "iexcloud")),
    Provider("BitMEX API Key", "API key ids (24 characters) and secrets (48) under `bitmex*` names", BROKERS,
             names=("bitmex",), name_format=r"[0-9A-Za-z_-]{24}|[0-9A-Za-z_-]{48}", valid=("BITMEX_API_SECRET={s48}",),
             invalid=("BITMEX_API_SECRET={s22}", "BITMEX_API_KEY={s12}%c^{s8}")),
    Provider("Exchange API Key", "keys and secrets under the names of other exchanges, brokers and market-data "
             "services (KuCoin, Bybit, OKX, Bitfinex, Gemini, Finnhub, Tiingo, Alpha Vantage, ...); "
             "a UUID under such a name is a secret too (KuCoin's are UUIDs)", BROKERS,
             names=("kucoin", "bybit", "okx", "okex", "bitfinex", "bittrex", "gemini", "huobi", "htx",
                    "gateio", "mexc", "bitget", "bitstamp", "deribit", "ftx", "hyperliquid", "dydx", "finnhub",
                    "tiingo", "alphavantage", "iex", "iexcloud", "twelvedata", "intrinio", "tradier", "marketstack",
                    "fmp", "quandl", "nasdaq", "etherscan", "infura", "alchemy", "moralis", "coinapi",
                    "cryptocompare", "coinmarketcap", "coingecko", "coinlayer", "tradingview", "databento",
                    "tastytrade", "schwab", "tradestation", "saxo", "fxcm", "dukascopy"),
             triggers=("kucoin", "bitmex"),
             pattern=near("kucoin", r"[a-f0-9]{24}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
             + "|" + near("bitmex", r"[A-Za-z0-9_-]{48}|[A-Za-z0-9_-]{24}", tag="2"), detector="NearbyKeyDetector",
             # Exchanges' keys and secrets are hex, base64, base58, UUIDs or JWTs: no `%`, `^`, `;`.
             name_format=r"[A-Za-z0-9+/=_.~-]+",
             valid=("KUCOIN_API_SECRET={uuid}", "kucoin secret {uuid}", "bitmex key '{a24}'"),
             invalid=("KUCOIN_API_SECRET=your-secret-here", "BYBIT_SECRET={a12}%c^{a8}",
                      "https://api.kucoin.com/api/v1/orders/{h24}", "kucoin {h20}")),
    # -- cloud and infrastructure -----------------------------------------------------------------
    _token("Google API Key", "`AIza...` keys (Google's public SDK example keys are left alone)", CLOUD, ("AIza",),
           r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", ("AIza{s35}",), ("AIza{s30}",), names=("gcp", "google")),
    _token("Google OAuth Token", "OAuth access tokens (`ya29.`) and client secrets (`GOCSPX-`)", CLOUD,
           ("ya29.", "GOCSPX-"), r"(?:ya29\.[0-9A-Za-z_-]{30,}|GOCSPX-[0-9A-Za-z_-]{28})(?![0-9A-Za-z_-])",
           ("ya29.{s60}", "GOCSPX-{s28}"), ("ya29.abc",)),
    Provider("Azure Credential", "Entra ID client secrets (`...8Q~...`), storage `AccountKey=`, SAS signatures", CLOUD,
             triggers=("q~", "accountkey", "account_key", "storagekey", "storage_key", "sig="), names=("azure",),
             pattern=r"(?<![A-Za-z0-9_~.-])(?P<secret>[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])"
                     r"|(?i:(?:account|storage)[_-]?key)[\"']?\s{0,20}(?:[,=:>]|\|\||\?\?)?\s{0,20}[\"']?(?P<key>[A-Za-z0-9+/]{86}==)"
                     r"|[?&]s[vpe]=[^\s\"'&]{1,40}&[^\s\"']{0,300}?\bsig=(?P<sig>[A-Za-z0-9%+/]{40,90}(?:%3D|=){0,2})",
             valid=("client_secret={a3}8Q~{s34}", "DefaultEndpointsProtocol=https;AccountName=x;AccountKey={b86}==",
                    "<account_key>{b86}==</account_key>", "cleanup.exe -storagekey {b86}== -container backups",
                    '{ "AccountKey", "{b86}==" }', 'key = process.env.ACCOUNT_KEY ||\n  "{b86}==";'),
             invalid=("version 8Q~ release", "-storagekey {b20}== -container backups")),
    Provider("Azure DevOps Token", "personal access tokens (52 lower-case letters and digits) shortly after the word "
             "`azure` or `devops`", CLOUD, triggers=("azure", "devops"), pattern=near("azure|devops", r"[a-z0-9]{52}"),
             detector="NearbyKeyDetector", valid=("azure devops pat: {l52}",), invalid=("azure {l40}", "azure {L52}")),
    _token("DigitalOcean Token", "personal, OAuth and refresh tokens (`dop_v1_`, `doo_v1_`, `dor_v1_`)", CLOUD,
           ("dop_v1_", "doo_v1_", "dor_v1_"), r"do[por]_v1_[a-f0-9]{64}(?![a-f0-9])", ("dop_v1_{h64}",), ("dop_v1_{h40}",)),
    _token("Heroku API Key", "platform keys (`HRKU-`); UUID keys under `heroku*` names", CLOUD, ("HRKU-",),
           r"HRKU-AA[A-Za-z0-9_-]{58}(?![A-Za-z0-9_-])", ("HRKU-AA{s58}", "HEROKU_API_KEY={uuid}"),
           ("HRKU-short", "HRKU-AA{s57}", "HRKU-AA{s30};{s27}"),
           names=("heroku",)),
    _token("Alibaba Cloud Key", "access key ids (`LTAI...`)", CLOUD, ("LTAI",), r"LTAI[A-Za-z0-9]{20}(?![A-Za-z0-9])",
           ("LTAI{a20}",), ("LTAI{a10}",), names=("alibaba", "aliyun")),
    _token("Cloudflare Token", "Origin CA keys (`v1.0-...`), user and account API tokens (`cfut_`, `cfat_`); API "
           "tokens and global keys under `cloudflare*` names", CLOUD, ("v1.0-", "cfut_", "cfat_"),
           r"(?:v1\.0-[a-f0-9]{24}-[a-f0-9]{146}|cf[ua]t_[A-Za-z0-9]{40}[a-f0-9]{8})(?![A-Za-z0-9])",
           ("v1.0-{h24}-{h146}", "cfut_{a40}{h8}"), ("v1.0-{h24}", "token = 'cfut_{a20}'", "token = 'cfut_{a40}{h8}EXTRA'"),
           names=("cloudflare", "cf")),
    Provider("Cloudflare Global API Key", "global API keys (37 hex) under any `cloudflare*` name", CLOUD,
             triggers=("cloudflare",), pattern=named("cloudflare", r"[a-f0-9]{37}"),
             valid=('cloudflare: "{h37}"', "CLOUDFLARE_GLOBAL_KEY={h37}"),
             invalid=('cloudflare: "{h36}"', "cloudflare {h37}")),
    _token("HashiCorp Vault Token", "service and batch tokens (`hvs.`, `hvb.`); tokens under `vault*` names",
           CLOUD, ("hvs.", "hvb."), r"hv[sb]\.[A-Za-z0-9_-]{24,300}(?![A-Za-z0-9_-])", ("hvs.{s100}", "hvs.{a24}"), ("hvs.{s20}",),
           names=("vault", "terraform", "tfc", "atlas")),
    Provider("Terraform Cloud Token", "API tokens (`....atlasv1....`)", CLOUD, triggers=("atlasv1",),
             pattern=r"(?<![A-Za-z0-9])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}(?![A-Za-z0-9_=-])",
             valid=("{a14}.atlasv1.{s67}",), invalid=("x.atlasv1.y",)),
    _token("Pulumi Access Token", "`pul-` tokens", CLOUD, ("pul-",), r"pul-[a-f0-9]{40}(?![a-f0-9])", ("pul-{h40}",),
           ("pul-{h20}",)),
    _token("Doppler Token", "`dp.pt.`, `dp.st.`, `dp.sa.`, `dp.ct.` tokens", CLOUD, ("dp.",),
           r"dp\.(?:pt|st(?:\.[a-z0-9_-]{2,35})?|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}(?![A-Za-z0-9])",
           ("dp.pt.{a43}", "dp.st.prd.{a40}"), ("dp.pt.{a10}",)),
    _token("Vercel Token", "`vcp_`, `vci_`, `vca_`, `vcr_`, `vck_` tokens", CLOUD, ("vc",),
           r"vc[pciark]_[A-Za-z0-9]{24,70}(?![A-Za-z0-9])", ("vcp_{a56}",), ("vcp_{a10}",), names=("vercel",)),
    _token("PlanetScale Token", "service tokens, passwords and OAuth tokens (`pscale_tkn_`, `pscale_pw_`, "
           "`pscale_oauth_`)", CLOUD, ("pscale_",), r"pscale_(?:tkn|pw|oauth)_[\w=.-]{32,64}(?![\w=.-])",
           ("pscale_tkn_{s43}", "pscale_pw_{s43}"), ("pscale_tkn_{s10}",), names=("planetscale", "pscale")),
    _token("Netlify Token", "`nfp_` personal tokens", CLOUD, ("nfp_",), r"nfp_[A-Za-z0-9]{36}(?![A-Za-z0-9])",
           ("nfp_{a36}",), ("nfp_{a20}",), names=("netlify",)),
    _token("Databricks Token", "`dapi` tokens", CLOUD, ("dapi",), r"dapi[a-f0-9]{32}(?:-\d)?(?![a-f0-9])",
           ("dapi{h32}",), ("dapi{h16}", "DATABRICKS_TOKEN=dapi{l5}"), names=("databricks",)),
    _token("Grafana Token", "cloud and service-account tokens (`glc_`, `glsa_`) and API keys (`eyJrIjoi`)", CLOUD,
           ("glc_", "glsa_", "eyJrIjoi"),
           r"(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{60,400}={0,3})"
           r"(?![A-Za-z0-9+/])", ("glsa_{a32}_{h8}", "glc_{b80}"), ("glsa_{a10}",), names=("grafana",)),
    _token("New Relic Key", "user, ingest and browser keys (`NRAK-`, `NRII-`, `NRJS-`)", CLOUD, ("NRAK-", "NRII-", "NRJS-"),
           r"NR(?:AK-[A-Za-z0-9]{27}|II-[A-Za-z0-9_-]{32}|JS-[a-fA-F0-9]{19})(?![A-Za-z0-9])", ("NRAK-{U27}",), ("NRAK-{U10}",),
           names=("newrelic",)),
    _token("Docker Hub Token", "personal and organisation access tokens (`dckr_pat_`, `dckr_oat_`)", CLOUD, ("dckr_",),
           r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])", ("dckr_pat_{s27}",), ("dckr_pat_{s10}",),
           names=("docker", "dockerhub")),
    _token("Dynatrace Token", "`dt0c01.` tokens", CLOUD, ("dt0c01.",), r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}(?![A-Za-z0-9])",
           ("dt0c01.{U24}.{U64}",), ("dt0c01.{U24}",)),
    _token("Fly.io Token", "`fo1_`, `fm1r_`, `fm2_` tokens", CLOUD, ("fo1_", "fm1", "fm2"),
           r"(?:fo1_[\w-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})(?![\w+/-])", ("fo1_{s43}",), ("fo1_{s20}",),
           names=("fly", "flyio")),
    _token("Age Secret Key", "`AGE-SECRET-KEY-1...` identities", CLOUD, ("AGE-SECRET-KEY-1",),
           r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Z0-9])", ("AGE-SECRET-KEY-1{age58}",),
           ("AGE-SECRET-KEY-1QQQ",)),
    _token("1Password Token", "service-account tokens (`ops_eyJ`) and account secret keys (`A3-...`)", CLOUD,
           ("ops_eyJ", "A3-"), r"(?:ops_eyJ[A-Za-z0-9+/]{250,}={0,3}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})"
           r"-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})(?![A-Za-z0-9+/])", ("ops_eyJ{b260}",), ("ops_eyJ{b20}",),
           names=("onepassword",)),
    _token("Atlassian Token", "API tokens (`ATATT3`, `ATCTT3`); Jira and Confluence tokens under their names", CLOUD,
           ("ATATT3", "ATCTT3", "ATOAT"), r"AT(?:ATT3|CTT3|OAT)[A-Za-z0-9_\-=]{150,300}(?![A-Za-z0-9_\-=])",
           ("ATATT3{s186}",), ("ATATT3{s20}",), names=("atlassian", "jira", "confluence", "bitbucket")),
    Provider("Atlassian Legacy API Token", "API tokens of the old format (24 lower-case letters and digits) under "
             "any `atlassian*`, `confluence*` or `jira*` name", CLOUD, triggers=("atlassian", "confluence", "jira"),
             pattern=named(r"(?-i:ATLASSIAN|[Aa]tlassian|CONFLUENCE|[Cc]onfluence|JIRA|[Jj]ira)", r"[a-z0-9]{20}[a-f0-9]{4}"),
             valid=('jira_api_token = "{l20}{h4}"', "confluence: {l20}{h4}"), invalid=("jira: {l20}",)),
    Provider("JFrog Token", "Artifactory API keys (`AKCp`), encrypted passwords (`AP` and a hex digit) and "
             "reference tokens (`cmVmdGtu`), mixing letters and digits", CLOUD, prefixes=("AKC", "AP", "cmVmdGtu"),
             pattern=r"(?:AKC[A-Za-z0-9]{10,}|AP[0-9A-F][A-Za-z0-9]{8,}|cmVmdGtu[A-Za-z0-9]{56})(?![A-Za-z0-9])",
             names=("artifactory", "jfrog"), detector="MixedTokenDetector",
             valid=("AKCp{a69}", "cmVmdGtu{a56}", "artifactory_password: AP6{a40}"),
             invalid=("AKC{a5}", "APACHEKAFKASTREAMS", "AKCABCDEFGHIJKLMNOP")),
    Provider("JFrog Identity Token", "identity and access tokens (64 or 73 letters and digits) under any "
             "`jfrog*`, `artifactory*`, `bintray*` or `xray*` name", CLOUD,
             triggers=("jfrog", "artifactory", "bintray", "xray"),
             pattern=named("jfrog|artifactory|bintray|xray", r"[A-Za-z0-9]{64}|[A-Za-z0-9]{73}"),
             valid=('"artifactory", "{a64}"', "JFROG_IDENTITY={a73}"), invalid=('"artifactory", "{a50}"',)),
    _token("Okta Token", "API tokens (`00...`, 42 characters) under `okta*` names", CLOUD, (), "",
           ("OKTA_API_TOKEN=00{s40}",), ("OKTA_DOMAIN=dev-123.okta.com",), names=("okta",)),
    _token("Snowflake Credential", "passwords and keys under `snowflake*` names", CLOUD, (), "",
           ("SNOWFLAKE_PASSWORD={a10}!",), ("SNOWFLAKE_ACCOUNT=xy12345",), names=("snowflake",)),
    _token("Yandex Cloud Key", "API keys (`AQVN`), IAM tokens (`t1.`) and access keys (`YC`)", CLOUD, ("AQVN", "YC"),
           r"(?:AQVN[A-Za-z0-9_-]{35,38}|YC[A-Za-z0-9_-]{38})(?![A-Za-z0-9_-])", ("AQVN{s36}",), ("AQVN{s10}",),
           names=("yandex",)),
    _token("OpenShift Token", "user tokens (`sha256~`)", CLOUD, ("sha256~",), r"sha256~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])",
           ("sha256~{s43}",), ("sha256~{s20}",), names=("openshift",)),
    # -- code hosting, CI, package registries ------------------------------------------------------
    _token("GitHub Access Token", "`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and fine-grained `github_pat_` tokens", CODE,
           ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
           # GitHub reserves lengths up to 255 (app installation tokens are longer already).
           r"(?:gh[pousr]_[A-Za-z0-9_]{36,255}|github_pat_[A-Za-z0-9_]{82,255})(?![A-Za-z0-9_])",
           ("ghp_{a36}", "github_pat_{a22}_{a59}", "ghs_{a40}_{a76}"), ("ghp_{a20}", "TOKEN=ghp_{a35}"), names=("github", "gh")),
    _token("GitLab Access Token", "personal, deploy, runner, trigger, feed, agent, OAuth, CI-build, SCIM, incoming-mail and "
           "feature-flag tokens (`glpat-`, `gldt-`, `glrt-`, `GR1348941`, `glptt-`, `glagent-`, `gloas-`, `glcbt-`, "
           "`glsoat-`, `glimt-`, `glffct-`, ...)", CODE,
           ("glpat-", "gldt-", "glrt-", "glsoat-", "glffct-", "glft-", "glntt-", "gltst-", "glwt-", "glrtr-", "glimt-",
            "glagent-", "gloas-", "glptt-", "glcbt-", "GR1348941"),
           # Each kind has its own length (20 to 50 characters, 25 for mail, 50 or more for agents...);
           # routable tokens carry a payload, a version and a checksum after dots.
           r"(?:glpat-[0-9A-Za-z_=-]{20,22}|gl(?:pat|dt|rt|soat|ffct|ft|ntt|tst|wt|rtr)-[0-9A-Za-z_-]{20,50}"
           r"|gl(?:pat|rt|dt|ft|soat)-(?:t\d_)?[0-9A-Za-z_-]{27,300}\.[0-9a-z]{2}\.?[0-9a-z]{7,9}"
           r"|glimt-[0-9A-Za-z_-]{25}|glagent-[0-9A-Za-z_-]{50,1024}|gloas-[0-9A-Za-z_-]{64}|glptt-[0-9A-Za-z_-]{40}"
           r"|glcbt-(?:[0-9A-Za-z]{1,5}_)?[0-9A-Za-z_-]{20,50}|GR1348941[0-9A-Za-z_-]{20,50})(?![0-9A-Za-z_-])",
           ("glpat-{s20}", "glsoat-{s20}", "glimt-{l25}", "glagent-{s50}", "gloas-{s64}", "glcbt-{h3}_{s20}",
            "glrt-{s20}", "GR1348941{s20}", "glpat-{s40}.01.{l9}"), ("glpat-{s10}", "glpat-{s60}", "glimt-{s30}"),
           names=("gitlab", "gl")),
    _token("Bitbucket Token", "app passwords and repository tokens (`ATBB`)", CODE, ("ATBB",),
           r"ATBB[A-Za-z0-9_=.-]{28,}(?![A-Za-z0-9_=.-])", ("ATBB{a32}",), ("ATBB{a10}",)),
    _token("PyPI Upload Token", "upload tokens (`pypi-AgEIcHlwaS5vcmc...`)", CODE, ("pypi-",),
           r"pypi-AgE[A-Za-z0-9_-]{50,}(?![A-Za-z0-9_-])", ("pypi-AgEIcHlwaS5vcmc{s60}",), ("pypi-AgE{s10}",),
           names=("pypi", "twine")),
    _token("npm Token", "access tokens (`npm_`); legacy UUID `_authToken` in `.npmrc`", CODE, ("npm_",),
           r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("npm_{a36}", "NPM_TOKEN={uuid}"),
           ("npm_{a20}",), names=("npm",)),
    _token("RubyGems Token", "`rubygems_` API keys", CODE, ("rubygems_",), r"rubygems_[a-f0-9]{48}(?![a-f0-9])",
           ("rubygems_{h48}",), ("rubygems_{h20}",)),
    _token("Clojars Token", "`CLOJARS_` deploy tokens", CODE, ("CLOJARS_",), r"CLOJARS_[a-z0-9]{60}(?![a-z0-9])",
           ("CLOJARS_{l60}",), ("CLOJARS_{l20}",)),
    Provider("Sonar Token", "SonarQube and SonarCloud tokens (`squ_`, `sqp_`, `sqa_`), and 40-character tokens "
             "under `sonar.login`/`SONAR_TOKEN` names", CODE, triggers=("squ_", "sqp_", "sqa_", "sonar"),
             pattern=r"(?<![A-Za-z0-9_])sq[upa]_[a-f0-9]{40}(?![A-Za-z0-9_])|"
                     + named("sonar", r"(?:sq[upa]_)?[A-Za-z0-9]{40}", tail=r"[\w.-]{0,4}(?i:login|token)"),
             names=("sonar", "sonarqube", "sonarcloud"),
             valid=("squ_{h40}", 'SONAR.LOGIN ::= "{u40}"', 'SONAR_TOKEN := "sqp_{a40}"'),
             invalid=("squ_{h20}", 'SONAR_PROJECT := "{u40}"')),
    Provider("Sourcegraph Token", "`sgp_` access tokens; 40 hex under `sourcegraph*` names", CODE,
             triggers=("sgp_", "sourcegraph"),
             pattern=r"(?<![A-Za-z0-9_])sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}(?![A-Za-z0-9_])|"
                     + named("sourcegraph", r"[a-fA-F0-9]{40}"),
             valid=("sgp_{h16}_{h40}", "sgp_{h40}", "sourcegraph: {h40}"), invalid=("sgp_{h10}", "sourcegraph: {h32}")),
    _token("Postman Token", "`PMAK-` API keys", CODE, ("PMAK-",), r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}(?![a-fA-F0-9])",
           ("PMAK-{h24}-{h34}",), ("PMAK-{h24}",)),
    _token("Harness Token", "`pat.` and `sat.` tokens", CODE, ("pat.", "sat."),
           r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}(?![A-Za-z0-9])", ("pat.{s22}.{h24}.{a20}",),
           ("pat.{s22}",)),
    _token("Infracost Token", "`ico-` API keys", CODE, ("ico-",), r"ico-[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("ico-{a32}",),
           ("ico-{a10}",)),
    _token("Prefect Token", "`pnu_` API keys", CODE, ("pnu_",), r"pnu_[A-Za-z0-9]{36}(?![A-Za-z0-9])", ("pnu_{a36}",),
           ("pnu_{a10}",)),
    _token("Scalingo Token", "`tk-us-` API tokens", CODE, ("tk-us-",), r"tk-us-[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])",
           ("tk-us-{s48}",), ("tk-us-{s10}",)),
    _token("Readme Token", "`rdme_` API keys", CODE, ("rdme_",), r"rdme_[a-z0-9]{70}(?![a-z0-9])", ("rdme_{l70}",),
           ("rdme_{l10}",)),
    _token("Octopus Deploy Key", "`API-` keys", CODE, ("API-",), r"API-[A-Z0-9]{26}(?![A-Za-z0-9])", ("API-{U26}",),
           ("API-{U10}",)),
    _token("Intra42 Secret", "`s-s4t2ud-`, `s-s4t2af-` client secrets", CODE, ("s-s4t2",),
           r"s-s4t2(?:ud|af)-[a-fA-F0-9]{64}(?![a-fA-F0-9])", ("s-s4t2ud-{h64}",), ("s-s4t2ud-{h10}",)),
    # -- messaging, alerting, webhooks ------------------------------------------------------------
    _token("Slack API Token", "bot, user, app, configuration and refresh tokens (`xoxb-`, `xoxp-`, `xapp-`, `xoxe.`, "
           "`xoxe-`); loose look-alikes (`xoxb-12345-abcd234`, an image URL holding `xoxo-`) are not tokens", MESSAGING,
           ("xox", "xapp-"),
           r"(?:xox[bpaorsde]-(?:\d|\d{8,14})-(?:\d{1,14}-){0,3}[0-9A-Za-z][0-9A-Za-z-]{7,250}|xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}"
           r"|xapp-\d-[A-Za-z0-9]{1,20}-\d{1,20}-[A-Za-z0-9]{1,100}|xox[os]-\d{3,14}-\d{3,14}-\d{3,14}-[a-fA-F0-9]{16,64})"
           r"(?![0-9A-Za-z-])",
           ("xoxb-{d12}-{d13}-{a24}", "xoxp-{d12}-{d12}-{d13}-{h32}", "xapp-1-{U11}-{d13}-{h64}", "xoxe-1-{U146}",
            "xoxo-{d6}-{d6}-{d6}-{h18}"),
           ("xoxb-12345-abcd234", "xoxp-1234-1234-1234-{h32}", "https://cdn.example.org/img/xoxo-{l20}.png"), names=("slack",)),
    Provider("Slack Webhook", "incoming webhook and workflow URLs, over https or http", MESSAGING,
             triggers=("hooks.slack.com",),
             pattern=r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_+/-]{20,200}",
             valid=("https://hooks.slack.com/services/T{U8}/B{U10}/{a24}", "http://hooks.slack.com/services/T{U8}/B{U10}/{a24}"),
             invalid=("https://hooks.slack.com/services/",)),
    Provider("Discord Webhook", "webhook URLs", MESSAGING, triggers=("discord",),
             pattern=r"https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{15,20}/[A-Za-z0-9_-]{60,80}",
             valid=("https://discord.com/api/webhooks/{d18}/{s68}",), invalid=("https://discord.com/api/webhooks/",)),
    Provider("Discord Token", "bot tokens anywhere: three dot-separated parts, the first the base64 of the "
             "bot's numeric id (so it opens `MT`, `Mj`, `Mz`, `ND`, `NT`, `Nj`, `Nz`, `OD` or `OT`)", MESSAGING,
             prefixes=("MT", "Mj", "Mz", "ND", "NT", "Nj", "Nz", "OD", "OT"),
             pattern=r"[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])",
             detector="DiscordTokenDetector", valid=("bot.run('{discord}')",), invalid=("MT{s24}.{s6}.{s38}",)),
    Provider("Discord Bot Credential", "bot tokens (`M...`/`N...`/`O...`, three dot-separated parts) beside a "
             "`discord` name; client secrets and keys under `discord*` names, all-digit ones (17-20 or 32 digits) "
             "and 64 hex too when the name says token, secret or key", MESSAGING, triggers=("discord",),
             names=("discord",), pattern=r"(?<![A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}"
             r"(?![A-Za-z0-9_-])|" + named("discord", r"\d{17,20}|\d{32}|[a-f0-9]{64}",
                                           tail=r"[\w.-]{0,20}?(?i:token|secret|key)[\w.-]{0,10}"),
             valid=("DISCORD_BOT_TOKEN=MT{s24}.{s6}.{s38}", 'discord_token = "{d18}"', "discord_client_secret: {d32}"),
             invalid=("discord: M.a.b", 'discord_channel_id = "{d18}"', 'discord_token = "{d12}"')),
    Provider("Microsoft Teams Webhook", "Office 365 connector and Workflows URLs", MESSAGING,
             triggers=("webhook.office.com", "logic.azure.com", "powerplatform.com"),
             pattern=r"https://[A-Za-z0-9-]{1,60}\.webhook\.office\.com/webhookb2/[0-9A-Za-z-]{36}@[0-9A-Za-z-]{36}"
                     r"/IncomingWebhook/[0-9A-Za-z]{32}/[0-9A-Za-z-]{36}(?:/[A-Za-z0-9_-]{10,80})?"
                     r"|https://[A-Za-z0-9.-]{1,120}\.powerplatform\.com(?::443)?/powerautomate/automations/direct"
                     r"/workflows/[0-9a-f]{32}/[^\s\"']{0,300}sig=[A-Za-z0-9_-]{20,80}"
                     r"|https://[A-Za-z0-9.-]{1,100}\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/[^\s\"']{0,300}"
                     r"sig=[A-Za-z0-9_-]{20,80}",
             valid=("https://contoso.webhook.office.com/webhookb2/{uuid}@{uuid}/IncomingWebhook/{h32}/{uuid}",
                    "https://default{h30}.{d2}.environment.api.powerplatform.com:443/powerautomate/automations/direct"
                    "/workflows/{h32}/triggers/manual/paths/invoke?api-version=1&sig={s43}"),
             invalid=("https://contoso.webhook.office.com/webhookb2/",)),
    Provider("Telegram Bot API Token", "bot tokens (`123456789:AA...`: a bot id, `:A` and 34 more characters)", MESSAGING,
             triggers=(":aa", "telegram"), names=("telegram", "tg"),
             pattern=r"(?<![0-9A-Za-z_:/-])\d{5,16}:A[0-9A-Za-z_-]{34}(?![0-9A-Za-z_-])",
             name_format=r"\d{5,16}:A[0-9A-Za-z_-]{34}",
             valid=("{d10}:AA{s33}", "telegram bot: {d8}:A{s34}"),
             invalid=("{d10}:AA{s20}", "https://t.me/x/{d10}:AA{s33}", "telegram bot: {d4}:A{s34}",
                      "telegram bot: {d8}:A{s40}", 'telegram_api_token = "{d4}:A{s34}"',
                      'telegram_api_token = "{d8}:Ahello{s34}"')),
    _token("Twilio API Key Secret", "API key SIDs (`SK` + 32 hex) and account SIDs (`AC` + 32 hex), which sit beside "
           "their secrets; auth tokens under `twilio*` names", MESSAGING,
           ("SK", "AC"), r"(?:SK[0-9a-fA-F]{32}|AC[0-9a-f]{32})(?![0-9a-zA-Z])", ("SK{h32}", "AC{h32}"), ("SK{h20}", "AC{H32}"),
           names=("twilio",)),
    _token("SendGrid Key", "`SG.` keys", MESSAGING, ("SG.",),
           r"SG\.(?:[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9_-]{39,50}|[A-Za-z0-9=_.-]{66})(?![A-Za-z0-9=_.-])",
           ("SG.{s22}.{s43}",), ("SG.{s10}",), names=("sendgrid",)),
    Provider("Mailchimp API Key", "keys ending in a data centre (`...-us12`)", MESSAGING, triggers=("-us",),
             names=("mailchimp", "mandrill"), detector="MailchimpKeyDetector",
             # Marketing keys end in their data centre; Mandrill (transactional) keys are 22 characters.
             name_format=r"[0-9a-f]{32}-us\d{1,2}|(?:md-)?[A-Za-z0-9_-]{22}",
             valid=("{h32}-us12",), invalid=("{h20}-us12", "MAILCHIMP_API_KEY={h32}-us123x")),
    _token("Mailgun Key", "`key-` private API keys, `pubkey-` validation keys; signing keys under `mailgun*` names",
           MESSAGING, ("key-", "pubkey-"), r"(?:pub)?key-[a-f0-9]{32}(?![a-f0-9])", ("key-{h32}", "pubkey-{h32}"),
           ("key-{h10}",), names=("mailgun",)),
    _token("Brevo Key", "Sendinblue/Brevo API keys (`xkeysib-`, `xsmtpsib-`)", MESSAGING, ("xkeysib-", "xsmtpsib-"),
           r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}(?![A-Za-z0-9])", ("xkeysib-{h64}-{a16}",), ("xkeysib-{h10}",),
           names=("sendinblue", "brevo")),
    _token("Sentry Token", "organisation and user auth tokens (`sntrys_`, `sntryu_`); DSN secrets under names",
           MESSAGING, ("sntry",), r"(?:sntrys_eyJ[A-Za-z0-9+/=_-]{60,}|sntryu_[a-f0-9]{64})(?![A-Za-z0-9+/=_-])",
           ("sntryu_{h64}", "sntrys_eyJ{b100}"), ("sntryu_{h20}",), names=("sentry",)),
    _token("PagerDuty Key", "API keys under `pagerduty*` names", MESSAGING, (), "", ("PAGERDUTY_API_KEY=u+{s18}",),
           ("PAGERDUTY_SERVICE=payments",), names=("pagerduty",)),
    _token("Datadog Key", "API and application keys under `datadog*`/`dd_*` names", MESSAGING, (), "",
           ("DD_API_KEY={h32}",), ("DD_SITE=datadoghq.eu",), names=("datadog", "dd")),
    # -- payments and commerce ----------------------------------------------------------------
    _token("Stripe API Key", "secret and restricted keys (`sk_live_`, `rk_live_`, `sk_test_`...), webhook secrets "
           "(`whsec_`)", PAYMENTS, ("sk_", "rk_", "whsec_"),
           r"(?:[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{32,})(?![A-Za-z0-9])",
           ("sk_live_{a24}", "rk_live_{a99}", "whsec_{a32}"), ("pk_live_{a24}", "sk_live_"), names=("stripe",)),
    _token("Square Token", "access tokens and OAuth secrets (`sq0atp-`, `sq0csp-`, `EAAA`)", PAYMENTS, ("sq0", "EAAA"),
           r"EAAA[A-Za-z0-9_+=-]{60}|(?:sq0atp-[0-9A-Za-z_-]{22,60}|sq0csp-[0-9A-Za-z_-]{43}|EAAA[A-Za-z0-9_-]{22,59})"
           r"(?![0-9A-Za-z_+=?/-])",
           ("sq0atp-{s22}", "sq0csp-{s43}", "EAAA{s60}"), ("sq0atp-{s10}", "square = 'EAAA{s30}?{s29}'", "square = 'EAAA{s30}={s20}'"),
           names=("square",)),
    _token("Shopify Token", "access, custom-app, private-app and shared-secret tokens (`shpat_`, `shpca_`, "
           "`shppa_`, `shpss_`)", PAYMENTS, ("shp",), r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![a-fA-F0-9])",
           ("shpat_{h32}",), ("shpat_{h20}",), names=("shopify",)),
    _token("PayPal Credential", "client secrets under `paypal*` names; Braintree access tokens", PAYMENTS,
           ("access_token",), r"access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}(?![0-9a-f])",
           ("access_token$production${l16}${h32}",), ("access_token$production$x",), names=("paypal", "braintree")),
    Provider("PayPal OAuth Credential", "REST app client ids (`A...-...`, 5-38 or 7-72 characters around a dash) "
             "and secrets (44-80) shortly after the word `paypal`", PAYMENTS, triggers=("paypal",),
             pattern=near("paypal", r"[A-Za-z0-9_.]{7}-[A-Za-z0-9_.]{72}|[A-Za-z0-9_.]{5}-[A-Za-z0-9_.]{38}"
                                    r"|[A-Za-z0-9_.-]{44,80}"), detector="NearbyKeyDetector",
             valid=("paypal client '{a5}-{a38}'",), invalid=("paypal client '{a5}-{a20}'", "paypal https://x/{a50}")),
    _token("Flutterwave Key", "`FLWSECK-`, `FLWSECK_TEST-` secret keys", PAYMENTS, ("FLWSECK",),
           r"FLWSECK(?:_TEST)?(?:-[a-hA-H0-9]{32}-X|-?[a-hA-H0-9]{12})(?![A-Za-z0-9])", ("FLWSECK_TEST-{h32}-X",), ("FLWSECK_TEST-{h10}-X",)),
    _token("Duffel Token", "`duffel_test_`, `duffel_live_` tokens", PAYMENTS, ("duffel_",),
           r"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}(?![A-Za-z0-9_=-])", ("duffel_live_{s43}",), ("duffel_live_{s10}",)),
    _token("EasyPost Key", "`EZAK`, `EZTK` API keys", PAYMENTS, ("EZAK", "EZTK"), r"EZ[AT]K[A-Za-z0-9]{54}(?![A-Za-z0-9])",
           ("EZAK{a54}",), ("EZAK{a10}",)),
    _token("Shippo Token", "`shippo_live_`, `shippo_test_` tokens", PAYMENTS, ("shippo_",),
           r"shippo_(?:live|test)_[a-fA-F0-9]{40}(?![a-fA-F0-9])", ("shippo_live_{h40}",), ("shippo_live_{h10}",)),
    _token("Plaid Token", "access tokens (`access-production-...`); secrets under `plaid*` names", PAYMENTS,
           ("access-",), r"access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
           r"-[0-9a-f]{12}(?![0-9a-f])", ("access-production-{uuid}",), ("access-production-x",), names=("plaid",)),
    _token("Lob Key", "`live_`/`test_` API keys under `lob*` names", PAYMENTS, (), "", ("LOB_API_KEY=live_{h35}",),
           ("LOB_ENV=live",), names=("lob",)),
    Provider("Facebook App Access Token", "app access tokens (`{app id}|{app secret}`, 15-16 digits, `|`, 27 or more "
             "characters) in texts that mention Facebook or an access token", SAAS,
             triggers=("facebook", "access_token", "fb_"),
             pattern=r"(?<![0-9A-Za-z_-])\d{15,16}(?:\||%7[Cc])[0-9A-Za-z_-]{27,40}(?![0-9A-Za-z_-])",
             valid=("facebook {d15}|{s27}", "FB_ACCESS_TOKEN={d16}%7C{s32}"),
             invalid=("facebook {d15}|{s10}", "order {d15}|{s27}")),
    _token("Facebook Token", "page and user access tokens (`EAAC...`, `EAAG...`); app secrets under names", SAAS,
           ("EAA",), r"EAA[MCG][A-Za-z0-9]{100,}(?![A-Za-z0-9])", ("EAAG{a120}",), ("EAAG{a10}",),
           names=("facebook", "fb", "instagram")),
    _token("Twitter Token", "app-only bearer tokens (`AAAAAAAAAAAAAAAAAAAAA...`); keys under `twitter*` names", SAAS,
           ("AAAAAAAAAAAAAAAAAAAAA",), r"A{22}[A-Za-z0-9%]{80,200}(?![A-Za-z0-9%])", ("AAAAAAAAAAAAAAAAAAAAAA{a90}",),
           ("AAAAAAAAAAAAAAAAAAAAAA",), names=("twitter",)),
    # -- AI APIs -------------------------------------------------------------------------------------
    _token("OpenAI API Key", "project, service-account, admin and legacy keys (`sk-proj-`, `sk-svcacct-`, "
           "`sk-admin-`, `sk-...T3BlbkFJ...`)", AI, ("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"),
           r"sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,250}|[A-Za-z0-9_-]{16,100}T3BlbkFJ[A-Za-z0-9_-]{16,100})"
           r"(?![A-Za-z0-9_-])", ("sk-proj-{s120}", "sk-{a20}T3BlbkFJ{a20}"),
           ("sk-proj-{s10}", "sk-{a48}", "key = 'sk-proj-{a20}'"),
           names=("openai",)),
    _token("Anthropic API Key", "API and admin keys (`sk-ant-api03-`, `sk-ant-admin01-`)", AI, ("sk-ant-",),
           r"sk-ant-(?:api|admin|sid)\d\d-[A-Za-z0-9_-]{80,110}(?![A-Za-z0-9_-])", ("sk-ant-api03-{s93}AA",),
           ("sk-ant-api03-{s10}",), names=("anthropic", "claude")),
    _token("Hugging Face Token", "user and organisation tokens (`hf_`, `api_org_`)", AI, ("hf_", "api_org_"),
           r"(?:hf_[A-Za-z0-9]{34}|api_org_[A-Za-z0-9]{34})(?![A-Za-z0-9])", ("hf_{L34}", "hf_{a34}", "api_org_{L34}"),
           ("hf_{L20}",),
           names=("huggingface", "hf")),
    _token("AI Service Key", "Groq (`gsk_`), Perplexity (`pplx-`), xAI (`xai-`), OpenRouter (`sk-or-v1-`), DeepSeek "
           "(`sk-` and 32), Replicate (`r8_`), Pinecone (`pcsk_`), Cohere and others under their names", AI,
           ("gsk_", "pplx-", "xai-", "sk-or-v1-", "sk-", "r8_", "pcsk_"),
           r"(?:gsk_[A-Za-z0-9]{52}|pplx-[A-Za-z0-9]{48}|xai-[A-Za-z0-9]{80}|sk-or-v1-[a-f0-9]{64}|r8_[A-Za-z0-9]{37}"
           r"|pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63}|sk-[a-z0-9]{32})"
           r"(?![A-Za-z0-9])", ("gsk_{a52}", "pplx-{a48}", "xai-{a80}", "sk-or-v1-{h64}", "r8_{a37}", "pcsk_{a5}_{a63}"),
           ("gsk_{a10}", "pcsk_{a4}_{a63}", "xai_token = 'xai-{a41}'"),
           names=("groq", "perplexity", "pplx", "xai", "grok", "openrouter", "replicate", "cohere", "mistral",
                  "deepseek", "gemini", "elevenlabs", "pinecone", "together", "fireworks")),
    # -- other services ------------------------------------------------------------------------------------
    _token("Adobe Client Secret", "OAuth client secrets (`p8e-`)", SAAS, ("p8e-",), r"p8e-[A-Za-z0-9]{32}(?![A-Za-z0-9])",
           ("p8e-{h32}",), ("p8e-{h20}",), names=("adobe",)),
    _token("Linear API Key", "`lin_api_` keys", SAAS, ("lin_api_",), r"lin_api_[A-Za-z0-9]{40}(?![A-Za-z0-9])",
           ("lin_api_{a40}",), ("lin_api_{a10}",), names=("linear",)),
    _token("Notion Token", "integration tokens (`secret_`, `ntn_`)", SAAS, ("ntn_", "secret_"),
           r"(?:ntn_\d{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})(?![A-Za-z0-9])", ("ntn_{d11}{a35}", "secret_{a43}"),
           ("ntn_{d5}",), names=("notion",)),
    _token("Airtable Token", "personal access tokens (`pat....`)", SAAS, ("pat",), r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}(?![a-f0-9])",
           ("pat{a14}.{h64}",), ("pat{a14}",), names=("airtable",)),
    _token("Dropbox Token", "short-lived tokens (`sl.`); keys under `dropbox*` names", SAAS, ("sl.",),
           r"sl\.[A-Za-z0-9_-]{130,152}(?![A-Za-z0-9_-])", ("sl.{s140}",), ("sl.{s20}",), names=("dropbox",)),
    _token("Mapbox Secret Token", "secret tokens (`sk.eyJ`); public `pk.` tokens are left alone", SAAS, ("sk.eyJ",),
           r"sk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])", ("sk.eyJ{s60}.{s22}",), ("pk.eyJ{s60}.{s22}",),
           names=("mapbox",)),
    _token("Typeform Token", "`tfp_` tokens", SAAS, ("tfp_",), r"tfp_[A-Za-z0-9_.=-]{59}(?![A-Za-z0-9_.=-])",
           ("tfp_{s59}",), ("tfp_{s10}",)),
    _token("Frame.io Token", "`fio-u-` tokens", SAAS, ("fio-u-",), r"fio-u-[A-Za-z0-9_=-]{64}(?![A-Za-z0-9_=-])",
           ("fio-u-{s64}",), ("fio-u-{s10}",)),
    _token("MaxMind License Key", "`..._mmk` license keys", SAAS, (), "", ("MAXMIND_LICENSE_KEY={a6}_{a29}_mmk",),
           ("MAXMIND_EDITION=GeoLite2-City",), names=("maxmind", "geoip")),
    _token("SettleMint Token", "`sm_pat_`, `sm_aat_`, `sm_sat_` tokens", SAAS, ("sm_pat_", "sm_aat_", "sm_sat_"),
           r"sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}(?![A-Za-z0-9])", ("sm_pat_{a16}",),
           ("sm_pat_{a8}", 'nonMatchingToken := "sm_aat_{l10}"', 'nonMatchingToken := "{l16}"')),
    Provider("Sidekiq Credential", "Sidekiq Pro/Enterprise gem credentials (`BUNDLE_*__CONTRIBSYS__COM`, "
             "`https://user:pass@gems.contribsys.com`)", SAAS, triggers=("contribsys",),
             pattern=r"(?i:contribsys__com)[\"']?[ \t]*[:=][ \t]*[\"']?(?P<secret>[a-f0-9]{8}:[a-f0-9]{8})"
                     r"|https?://(?P<url>[a-f0-9]{8}:[a-f0-9]{8})@(?:gems|enterprise)\.contribsys\.com",
             valid=("BUNDLE_GEMS__CONTRIBSYS__COM={h8}:{h8}",), invalid=("BUNDLE_GEMS__CONTRIBSYS__COM=${SIDEKIQ}",)),
    Provider("MessageBird API Key", "API keys (25 letters and digits) under any `messagebird*` name", SAAS,
             triggers=("messagebird", "message_bird", "message-bird"),
             pattern=named("message[_-]?bird", r"[A-Za-z0-9]{25}"), names=("messagebird",),
             valid=('MessageBirdKey = "{a25}"',), invalid=('MessageBirdKey = "{a20}"',)),
    Provider("Sumo Logic Key", "access ids (`su` and 12) and access keys (64 letters and digits) under any "
             "`sumo*` name", SAAS, triggers=("sumo",),
             pattern=named(r"(?-i:(?<![A-Za-z])(?:[Ss]umo|SUMO))", r"su[A-Za-z0-9]{12}|[A-Za-z0-9]{64}"),
             valid=('sumologic_access_id = "su{a12}"', "export SUMO_ACCESS_KEY={a64}"),
             invalid=('consumo_id = "su{a12}"', 'sumologic_access_id = "su{a8}"')),
    Provider("Cisco Meraki API Key", "API keys (40 lower-case hex) under `meraki*` names", SAAS, names=("meraki",),
             name_format=r"[0-9a-f]{40}", valid=("MERAKI_API_KEY={h40}",),
             invalid=("MERAKI_API_KEY={H40}", "meraki_token = {h64}R21")),
    _token("Alchemy API Key", "`alcht_` API keys; other keys under `alchemy*` names", BROKERS, ("alcht_",),
           r"alcht_[0-9A-Za-z]{30}(?![0-9A-Za-z])", ("alcht_{a30}",), ("alcht_{a31}", "Key=alcht_{a31}")),
    Provider("Service Credential", "keys and tokens under the names of other services a team uses (Asana, "
             "Algolia, Contentful, Intercom, HubSpot, Zendesk, Trello, Twitch, Sumo Logic, Snyk, ...)", SAAS,
             names=("adafruit", "algolia", "asana", "beamer", "codecov", "confluent", "contentful", "drone",
                    "etsy", "finicity", "flickr", "freemius", "freshbooks", "gitter", "gocardless", "hubspot",
                    "intercom", "launchdarkly", "linkedin", "looker", "mattermost", "nytimes",
                    "rapidapi", "sendbird", "snyk", "squarespace", "sumo", "sumologic", "travis", "trello", "twitch",
                    "zendesk", "privateai", "authress", "kubernetes", "k8s", "nuget", "ngrok", "tailscale",
                    "supabase", "firebase", "mongodb", "mongo", "redis", "postgres",
                    "mysql", "rabbitmq", "amqp", "smtp", "ftp", "ldap"),
             valid=("SNYK_TOKEN={uuid}",), invalid=("SNYK_ORG=trading-desk",)),
    # -- generic kinds, last: a specific format above names a finding first ----------------------
    Provider("Password in URL", "`scheme://user:password@host`: database, broker, cache and queue URLs "
             "(PostgreSQL, MongoDB, AMQP, Redis, ...), pip index URLs", GENERIC,
             detector="PasswordInUrlDetector", valid=("postgres://trader:{a12}x9@db.internal:5432/fills",),
             invalid=("postgres://user:password@localhost/db",)),
    Provider("Command-line Credential", "passwords and tokens passed to commands: `curl -u user:pw`, `--user`, "
             "`-p`/`--password`, `--token`, `-H 'Authorization: ...'`, `--header \"Api-Token: ...\"`", GENERIC,
             detector="CommandLineDetector",
             valid=("curl -u trader:{a10}9x https://api.internal/v1", 'curl -X POST --header "Api-Token: Sk{a9}"',
                    "curl -u trader:'{a10}9x' https://api.internal/v1",
                    "curl -H 'Authorization: Basic {b64}' https://api.internal/v1"),
             invalid=("curl -u $USER:$PASS https://api.internal/v1", 'curl -H "Authorization: Bearer $TOKEN"',
                      "curl -H 'Content-Type: application/json'", 'curl -H "X-Api-Key: changeme-now"')),
    Provider("Client Credential Argument", "machine-made literals passed positionally to a client class "
             "(`Client(\"k\", \"s\")`, `HTTPBasicAuth(\"user\", \"pw\")`, `smtp.login(\"me\", \"pw\")`); typed as "
             "the venue's key when the file imports the venue's SDK", GENERIC, detector="ClientArgumentDetector",
             valid=('client = Client("{a64}", "{a64}")',), invalid=('client = Client("https://api.x.io", "v2")',)),
    Provider("Hard-coded Credential", "a literal assigned to, compared with, or given as a credential name "
             "(`password`, `passphrase`, `api_key`, `secret`, `token`, `Authorization: Bearer ...`, `AccountKey`, "
             "...) in any syntax; typed as a provider's when the name names one", GENERIC,
             detector="CredentialNameDetector", valid=('JWT_SECRET = "{a48}"', "//registry.npmjs.org/:_authToken={uuid}"), invalid=('JWT_SECRET = os.environ["JWT_SECRET"]',)),
)


# -- what the table gives the other layers ----------------------------------------------------------


def provider_names() -> dict[str, Provider]:
    """Venue word -> the provider it names (first row wins)."""
    names: dict[str, Provider] = {}
    for provider in PROVIDERS:
        for word in provider.names:
            names.setdefault(word, provider)
    return names


VENUE_WORDS: frozenset[str] = frozenset(word for provider in PROVIDERS for word in provider.names)
PREFIXES: frozenset[str] = frozenset(prefix for provider in PROVIDERS for prefix in provider.prefixes)
TRIGGERS: tuple[str, ...] = tuple(dict.fromkeys(trigger for provider in PROVIDERS for trigger in provider.triggers))


# -- example templates --------------------------------------------------------------------------------

def _alphabets() -> dict[str, str]:
    import string

    return {
        "a": string.ascii_letters + string.digits,
        "l": string.ascii_lowercase + string.digits,
        "L": string.ascii_letters,
        "u": string.ascii_uppercase + string.digits,
        "U": string.ascii_uppercase + "234567",
        "h": "0123456789abcdef",
        "H": "0123456789ABCDEF",
        "d": string.digits,
        "b": string.ascii_letters + string.digits + "+/",
        "s": string.ascii_letters + string.digits + "_-",
        "age": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
    }


_FIELD_RE = re.compile(r"\{(age|uuid|jwt|b64|discord|[alLuUhHdbs])(\d*)\}")


def _fake_jwt(rng: random.Random) -> str:
    import base64
    import json
    import string

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    header = part({"alg": "HS256", "typ": "JWT"})
    payload = part({"sub": "".join(rng.choice(string.digits) for _ in range(10)), "iat": rng.randint(1_600_000_000, 1_800_000_000)})
    signature = "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(43))
    return f"{header}.{payload}.{signature}"


def _fake_discord_token(rng: random.Random) -> str:
    import base64
    import string

    bot_id = str(rng.randint(10**17, 10**19))
    head = base64.urlsafe_b64encode(bot_id.encode()).decode().rstrip("=")
    tail = "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(6 + 38))
    return f"{head}.{tail[:6]}.{tail[6:]}"


def expand(template: str, rng: random.Random) -> str:
    """A template with each field replaced by fresh random characters (see the module docstring)."""
    import uuid

    alphabets = _alphabets()

    def field(match: re.Match[str]) -> str:
        kind, size = match.group(1), int(match.group(2) or 0)
        if kind == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if kind == "jwt":
            return _fake_jwt(rng)
        if kind == "discord":
            return _fake_discord_token(rng)
        if kind == "b64":
            import base64

            return base64.b64encode(rng.randbytes(64)).decode()
        alphabet = alphabets[kind]
        while True:  # mixed enough to read as machine-made (a 10-character draw can be all letters)
            value = "".join(rng.choice(alphabet) for _ in range(size))
            if kind not in ("a", "l", "u", "s", "b") or size < 8 or (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
                return value

    return _FIELD_RE.sub(field, template)
