from __future__ import annotations

import itertools
import re

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Rule, Valid
from lint_rules.rules._orders import dotted
from lint_rules.rules._text import AnyOf, gated

# "live" in every casing ("live", "LIVE", "Live", "lIvE", ...): the value a mode is set to.
LIVE_SPELLINGS = tuple("".join(letters) for letters in itertools.product(*zip("live", "LIVE")))
# Names of settings that select the trading mode or environment: TRADING_MODE, self.mode,
# environment=, OANDA_ENV, account_type, ... (matched on the snake_case, lower-case name).
MODE_SETTING = re.compile(r"(?:^|_)(?:mode|env|environment|account_type|trading)$")
# Switches whose False means "real money": paper=False, DRY_RUN = False, use_sandbox=False,
# is_demo=False, practice=False, ...
SAFETY_ROOTS = ("paper", "dry", "sandbox", "testnet", "demo", "practice")
SAFETY_SWITCH = re.compile(
    r"(?:^|_)(?:paper|paper_trading|dry_run|dryrun|sandbox|sandbox_mode|testnet|test_net|demo|practice)$"
)
SAFETY_SWITCH_TOKENS = tuple(
    spelling for root in SAFETY_ROOTS for spelling in (root, root.upper(), root.title())
) + ("TestNet", "dryRun", "DryRun")
# Switches whose True means "real money": LIVE_TRADING = True, use_live=True, live=True on a client.
# (`is_live` is left out: in exchange replies and order books it says an order is open.)
LIVE_SWITCH = re.compile(r"(?:^|_)live_trading$|^(?:use_|enable_)?live$")
LIVE_SWITCH_TOKENS = ("live", "Live", "LIVE")
# Look-ups whose second argument is the value used when the setting is absent.
FALLBACK_CALLS = frozenset({"get", "getenv", "setdefault", "putenv"})
_SAFETY_TOKEN = re.compile("|".join(SAFETY_SWITCH_TOKENS))
_LIVE_TOKEN = re.compile("live", re.IGNORECASE)
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# The text a finding needs, line by line: a live value set ("live" quoted, or an enum member
# `.LIVE`), a safety switch set to False (`paper=False`, `"isPaper": False`, `dry_run: bool =
# False`, `set_sandbox_mode(False)`) or a live switch set to True (`LIVE_TRADING = True`).
# Checked on the text before parsing: files that merely mention paper, demo or live
# (delivery, alive, `live_updates = True`) are never parsed.
_LIVE_VALUE_TEXT = "|".join(rf"{quote}{spelling}{quote}" for quote in "\"'" for spelling in LIVE_SPELLINGS)
_SET_TO = r"['\"]?\]?\s*(?::[^=\n]*)?[=:(]\s*"
# A value is set after `=` (not `==`) or `:` on the same line, a fallback's after `,`:
# comparisons (`env == Environment.LIVE`, `env in (Environment.SANDBOX, Environment.LIVE)`) and
# imports (`from nautilus_trader.live import ...`) are not settings.
# (Three patterns, each searched only where its words occur: see `_text`.)
NEEDED_TEXT = AnyOf((
    gated(
        rf"(?:(?<![=!<>])=|:)[ \t]*(?:{_LIVE_VALUE_TEXT}|[\w.]*\.(?:LIVE|Live)\b)|,[ \t]*(?:{_LIVE_VALUE_TEXT})",
        ('"live"', "'live'", ".live"), ignore_case=True,
    ),
    gated(rf"(?:{'|'.join(SAFETY_SWITCH_TOKENS)})\w*{_SET_TO}False\b", ("False",)),
    gated(rf"(?:{'|'.join(LIVE_SWITCH_TOKENS)})(?:_trading|_TRADING|Trading)?{_SET_TO}True\b", ("True",)),
))
# What a switch configures: a broker or exchange client, a connector, the trading app's config.
# Words of a callee, class, function or variable name (split at `_`, `.` and camel humps).
TRADING_WORDS = frozenset({
    "client", "exchange", "broker", "connector", "gateway", "api", "config", "conf", "cfg",
    "configuration", "settings", "session", "context", "node", "account", "trader", "trading",
    "bot", "venue", "credentials", "connect",
})
# Classes whose fields are a strategy's options, not the venue's or the mode.
STRATEGY_WORDS = frozenset({"strategy", "actor", "algorithm"})
# Keys that make a dict literal the trading app's configuration.
TRADING_KEYS = frozenset({
    "exchange", "broker", "venue", "api_key", "apikey", "secret", "account", "account_id",
    "symbol", "symbols", "pair", "pairs", "instrument", "stake_currency", "trading_mode", "strategy",
})
# SDKs whose constructors and functions configure a broker or exchange client.
BROKER_SDKS = frozenset({
    "ccxt", "alpaca", "alpaca_trade_api", "ib_async", "ib_insync", "ibapi", "oandapyV20", "v20",
    "coinbase", "binance", "kraken", "pybit", "okx", "hyperliquid", "dydx", "dydx_v4_client",
})


def words(name: str) -> list[str]:
    return [word for word in re.split(r"[_.\-]+", _CAMEL_HUMP.sub("_", name).lower()) if word]


# A market-data client or feed configured live sends no orders (`BinanceDataClientConfig`),
# unless its name also says it executes.
DATA_WORDS = frozenset({"data", "feed", "stream", "market_data"})
EXECUTION_WORDS = frozenset({"exec", "execution", "order", "orders", "trading", "trade"})


def is_trading_name(name: str | None) -> bool:
    """Whether a name says it configures trading: `TradingClient`, `self.exchange`, `CONFIG`,
    `BinanceHttpClient`, `ExecTesterConfig`, `bot.run` (not `add_column`, `strategy_status`,
    nor a market-data client's `BinanceDataClientConfig`)."""
    if name is None:
        return False
    found = set(words(name))
    if found & DATA_WORDS and not found & EXECUTION_WORDS:
        return False
    return bool(found & TRADING_WORDS)


def setting_kind(name: str) -> str | None:
    """``"mode"``, ``"safety"`` (False is live) or ``"live"`` (True is live) for a setting's name.

    Switch names count only when they hold one of the rule's tokens as written, so a file the
    token prefilter skips could never have been reported (``isPaper`` yes, ``PAPEr`` no).
    """
    normalized = "_".join(words(name))
    if SAFETY_SWITCH.search(normalized) and _SAFETY_TOKEN.search(name):
        return "safety"
    if LIVE_SWITCH.search(normalized) and _LIVE_TOKEN.search(name):
        return "live"
    if MODE_SETTING.search(normalized):  # after the switches: PAPER_TRADING ends in "trading"
        return "mode"
    return None


def is_live_value(node) -> bool:
    """``"live"`` in any casing, or an enum member named so (``Mode.LIVE``)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return isinstance(value, str) and value.casefold() == "live"
    return isinstance(node, cst.Attribute) and node.attr.value in ("LIVE", "Live")


def string_value(node) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def target_name(node) -> str | None:
    """The setting an assignment target names: ``MODE``, ``self.mode`` -> ``mode``,
    ``config["environment"]`` -> ``environment``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_value(node.slice[0].slice.value)
    return None


class HardCodedLive(Rule):
    """LIVE trading switched on in code.

    ## What it does
    Reports code that selects LIVE trading by itself:
    - a mode or environment setting given the value live, in any casing, as a string or as an
      enum member named so: module constants (`TRADING_MODE = "LIVE"`), attributes
      (`self.mode = "live"`), items (`os.environ["TRADING_MODE"] = "LIVE"`), config literals
      (`{"environment": "live"}`), keyword arguments (`environment="live"`,
      `trading_mode="live"`, `environment=BinanceEnvironment.LIVE`) and parameter defaults
      (`def connect(mode="live")`);
    - a broker's safety switch turned off the same ways: `paper=False`, `dry_run=False`,
      `sandbox=False`, `testnet=False`, `demo=False`, `practice=False` (also `is_paper`,
      `is_demo`, `use_sandbox`, `PAPER_TRADING`, `isPaper`, ...), ccxt's
      `exchange.set_sandbox_mode(False)`, and a live switch turned on: `live=True`,
      `LIVE_TRADING = True`;
    - a look-up that falls back to live when the setting is absent:
      `os.environ.get("TRADING_MODE", "LIVE")`, `config.setdefault("mode", "live")`.

    Judged by what the switch configures, not by its name alone. A keyword argument counts when
    the call configures trading: a broker or exchange client, a connector, the app's config
    (the callee's name holds a word such as `Client`, `Exchange`, `Broker`, `Connector`,
    `Gateway`, `API`, `Config`, `Settings`, `Session`, `Node`, `Account`, `Bot`, or it comes
    from a broker SDK such as ccxt); a parameter default when its function or class is named
    so (`get_binance_http_client(environment=...LIVE)`); a dict entry when the dict is passed to
    such a call, assigned to such a name (`CONFIG = {...}`) or holds trading keys (`exchange`,
    `api_key`, `pair`, ...); a class field when the class is named so (`TradingNodeConfig`), but
    not the options of a strategy's config (a `StrategyConfig` subclass's `dry_run`).
    So a database migration's `add_column(..., dry_run=False)`, a status display's
    `strategy_status(live=True)`, a build script's `def generate(dry_run=False)` and an ML
    flag `freqai.live = True` are not reported. Type stubs (`.pyi`) declare defaults and are
    not checked.

    Reading or comparing a mode (`if mode == "LIVE":`), look-ups that fall back to PAPER,
    enum definitions (`LIVE = "live"`), docstrings and comments are not reported. Gateway paths
    are exempt: the gateway is where LIVE is honoured once an operator armed it.

    A setting is recognised by its name: names ending in `mode`, `env`, `environment`,
    `account_type` or `trading` (snake_case or camelCase, any casing). A switch and its value
    are found on one line (`paper=False`), as code writes them.

    ## Why is this bad?
    LIVE must be an operator's act at run time (`tradeguard live arm` with two approvers and an
    expiry, then `TRADEGUARD_MODE=LIVE`), never a code change. A hard-coded LIVE travels with
    the code: into a test run, a backtest, a colleague's laptop, a CI job with real
    credentials, and trades real money there without anyone having decided to.

    ## Example
    ```python
    TRADING_MODE = "LIVE"
    client = TradingClient(key_id, secret, paper=False)
    ```

    ## Use instead
    ```python
    TRADING_MODE = os.environ.get("TRADING_MODE", "PAPER")
    client = TradingClient(key_id, secret, paper=TRADING_MODE != "LIVE")
    ```
    and let `tradeguard.OrderGateway` decide: it reads `TRADEGUARD_MODE` and trades LIVE only
    while the operator's arming record is valid.

    ## Options
    - `gateway-paths`: files where LIVE may be named, because they enforce arming.
    - `per-file-ignores`: e.g. tests that exercise the LIVE path with a fake broker.

    ## Fix safety
    No fix: which run-time setting should feed the mode (an environment variable, the gateway's
    mode, the project's config) is the project's own choice.
    """

    code = "TG401"
    name = "hard-coded-live"
    message = "LIVE hard-coded: `{setting}`; LIVE is the operator's switch at run time (`tradeguard live arm`), never a code change"

    VALID = [
        Valid('TRADING_MODE = os.environ.get("TRADING_MODE", "PAPER")\nmode = os.getenv("TRADEGUARD_MODE")'),
        Valid('if mode == "LIVE":\n    log.warning("trading real money")\nis_live = settings.mode.upper() == "LIVE"'),
        Valid('assert gateway.mode != "LIVE"\nlive = mode in ("live", "LIVE")'),
        Valid('"""Set TRADING_MODE = "LIVE" only through `tradeguard live arm`."""\n# client = TradingClient(paper=False)'),
        Valid('TRADING_MODE = "PAPER"\nclient = TradingClient(key, secret, paper=True)\napi = API(token, environment="practice")'),
        Valid('exchange = ccxt.binance({"sandbox": True})\nClient(key, secret, testnet=True)\nbot.run(dry_run=True)'),
        Valid('class Mode(enum.Enum):\n    PAPER = "paper"\n    LIVE = "live"'),
        Valid('MODES = ("paper", "live")\nparser.add_argument("--mode", choices=["paper", "live"])'),
        Valid('status = "live"\nfeed = Feed(kind="live")\nclient.reqMarketDataType(1)'),
        Valid('def dry_run(self, symbol):\n    return self.preview(symbol)'),
        Valid('paper = not os.environ.get("LIVE")\nClient(paper=paper)'),
        Valid('OrderGateway(connectors, mode="LIVE")', path="bot/execution/gateway.py",
              config={"gateway-paths": ["bot/execution/gateway.py"]}),
        # Switches of things that do not trade: a schema migration, a status display, a build
        # script, a machine-learning flag.
        Valid('''
            class AddExchangeOrderId(DatabaseTransformation):
                def apply(self, db):
                    self.add_column(db.engine, "Order", Column("exchange_order_id"), dry_run=False)
            '''),
        Valid("async def show(self):\n    await self.display(await self.strategy_status(live=True))"),
        Valid("def generate_docstrings(crate: str, src_dir: Path, dry_run: bool = False) -> int:\n    pass"),
        Valid("self.freqai.live = True\nfreqai.dk.live = True"),
        Valid('ORDER_REPLY = {"order_id": "1", "symbol": "btcusd", "is_live": True, "is_cancelled": False}'),
        Valid("def liquidation_price(trade, *, exchange, dry_run: bool = False):\n    pass"),
        # A stub declares the signature's defaults; the implementation is what runs.
        Valid("class BybitHttpClient:\n    def __init__(self, key: str, testnet: bool = False) -> None: ...",
              path="adapters/bybit.pyi"),
        Valid("exchange.set_sandbox_mode(True)"),
        # Market data from the live venue, orders to the sandbox: the data client sends none.
        Valid("data_clients = {'BINANCE': BinanceDataClientConfig(environment=BinanceEnvironment.LIVE)}"),
        # A strategy's option: the node it runs in, not the strategy, chooses the venue and LIVE.
        Valid("class OrderBookImbalanceConfig(StrategyConfig, frozen=True):\n    dry_run: bool = False"),
        Valid("from bot.testers import ExecTesterConfig\n\nconfig = ExecTesterConfig(instrument_id=iid, dry_run=False)",
              files={"bot/testers.py": "class ExecTesterConfig(StrategyConfig):\n    dry_run: bool = True\n"}),
        # Reference data (instruments) loaded from the live venue by default: no orders.
        Valid("class BinanceSpotInstrumentProvider(InstrumentProvider):\n"
              "    def __init__(self, client, environment: BinanceEnvironment = BinanceEnvironment.LIVE):\n        pass"),
    ]
    INVALID = [
        Invalid('TRADING_MODE = "LIVE"', message='`TRADING_MODE = "LIVE"`'),
        Invalid('class Bot:\n    def __init__(self):\n        self.mode = "live"', line=3),
        Invalid('MODE: str = "Live"'),
        Invalid('CONFIG = {\n    "broker": "oanda",\n    "environment": "live",\n}', line=3),
        Invalid('os.environ["TRADING_MODE"] = "LIVE"'),
        Invalid('client = TradingClient(key, secret, paper=False)', message="`paper=False`"),
        Invalid('bot.run(dry_run=False)\nClient(key, secret, testnet=False)\nex = Exchange(sandbox=False)', count=3),
        Invalid('api = oandapyV20.API(access_token=token, environment="live")'),
        Invalid('ib = IBGateway(trading_mode="LIVE")'),
        Invalid('gateway = OrderGateway(connectors, mode="LIVE")'),
        Invalid('mode = Mode.LIVE'),
        Invalid('def connect(token, environment="live"):\n    pass'),
        Invalid('def build_client(paper: bool = False):\n    pass'),
        Invalid('LIVE_TRADING = True\nUSE_SANDBOX = False\nsettings = {"isPaper": False, "paper_trading": False}', count=4),
        Invalid('broker = Broker(live=True)'),
        Invalid('MODE = os.environ.get("TRADING_MODE", "LIVE")', message="os.environ.get"),
        Invalid('x = 1\nsettings.setdefault("mode", "live")', line=2),
        # Demo and practice accounts switched off; ccxt's sandbox switched off.
        Invalid('client = BybitClient(key, secret, demo=False)\napi = OandaApi(token, practice=False)', count=2),
        Invalid('session = BrokerSession(is_demo=False)'),
        Invalid('import ccxt\nexchange = ccxt.okx(config)\nexchange.set_sandbox_mode(False)', line=3,
                message="set_sandbox_mode(False)"),
        Invalid('exchange = ccxt.binance({"apiKey": key, "sandbox": False})', message='"sandbox": False'),
        # A live example's venue config and an adapter factory's default: both trade real money.
        Invalid('''
            exec_clients = {
                "OKX": OKXExecClientConfig(api_key=None, environment=OKXEnvironment.LIVE),
            }
            ''', line=2),
        Invalid('''
            def get_cached_binance_http_client(clock, environment: BinanceEnvironment = BinanceEnvironment.LIVE):
                pass
            '''),
        Invalid('''
            class AlpacaClientConfig(ClientConfig):
                paper: bool = False
            ''', line=2),
        Invalid("testnet = False  # set True for the test venue\nconfig = HyperliquidExecClientConfig(testnet=testnet)"),
        Invalid("default_conf['dry_run'] = False"),
    ]

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        # Every finding holds one of these; `applies_to` then asks for the text a finding needs.
        return (*LIVE_SPELLINGS, *SAFETY_SWITCH_TOKENS)

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        return (
            not context.is_gateway
            and not context.rel_path.endswith(".pyi")
            and NEEDED_TEXT.search(context.text) is not None
        )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.scopes: list[tuple[str, str]] = []     # ("class" | "def", name), innermost last
        self.trading_dicts: set[int] = set()        # ids of dicts passed to / assigned to trading things

    # --- where the walk is --------------------------------------------------------------
    def visit_ClassDef(self, node) -> None:
        # A strategy's (or actor's) config does not choose the venue: its fields are options.
        bases = [dotted(arg.value) or "" for arg in node.bases if arg.keyword is None]
        strategy = any(set(words(name)) & STRATEGY_WORDS for name in (node.name.value, *bases))
        self.scopes.append(("class", "" if strategy else node.name.value))

    def leave_ClassDef(self, node) -> None:
        self.scopes.pop()

    def visit_FunctionDef(self, node) -> None:
        # Parameter defaults are visited inside the function: judge them by its name (by the
        # class's for `__init__`).
        owner = self.scopes[-1][1] if node.name.value == "__init__" and self.scopes else node.name.value
        self.scopes.append(("def", owner))

    def leave_FunctionDef(self, node) -> None:
        self.scopes.pop()

    def in_class_body(self) -> bool:
        return bool(self.scopes) and self.scopes[-1][0] == "class"

    # --- the forms ----------------------------------------------------------------------
    # assignments: NAME = v, self.attr = v, x["key"] = v, NAME: T = v
    def visit_Assign(self, node) -> None:
        for target in node.targets:
            self._mark_dict(node.value, dotted(target.target))
            if self._target_is_trading(target.target):
                self._check(node, target_name(target.target), node.value, f"{_source(target.target)} = ")

    def visit_AnnAssign(self, node) -> None:
        if node.value is not None:
            self._mark_dict(node.value, dotted(node.target))
            if self._target_is_trading(node.target):
                self._check(node, target_name(node.target), node.value, f"{_source(node.target)} = ")

    # {"environment": "live"}
    def visit_Dict(self, node) -> None:
        elements = [element for element in node.elements if isinstance(element, cst.DictElement)]
        keys = {(string_value(element.key) or "").lower() for element in elements}
        if id(node) in self.trading_dicts or keys & TRADING_KEYS:
            for element in elements:
                self._check(element, string_value(element.key), element.value, f"{_source(element.key)}: ")

    # f(paper=False)
    def visit_Call(self, node) -> None:
        callee = self._callee(node.func)
        trading = (is_trading_name(callee) and not self._is_strategy_class(callee)) or self._from_broker_sdk(node.func)
        for arg in node.args:
            if trading:
                self._mark_dict(arg.value, "config")
            if arg.keyword is not None and trading:
                self._check(arg, arg.keyword.value, arg.value, f"{arg.keyword.value}=")
        self._check_sandbox_mode(node)
        self._check_fallback(node)

    # def f(environment="live")
    def visit_Param(self, node) -> None:
        if node.default is not None and self.scopes and is_trading_name(self.scopes[-1][1]):
            self._check(node, node.name.value, node.default, f"{node.name.value}=")

    # --- judgements -----------------------------------------------------------------------
    def _target_is_trading(self, target) -> bool:
        """A class field counts in a trading class; an attribute's live switch on a trading object
        (`config.live = True`, not `freqai.live = True`); every other target is the setting."""
        if self.in_class_body():
            return is_trading_name(self.scopes[-1][1])
        if isinstance(target, cst.Attribute) and setting_kind(target.attr.value) == "live":
            owner = dotted(target.value) or ""
            return is_trading_name(owner) or (owner == "self" and self._in_trading_class())
        return True

    def _is_strategy_class(self, callee: str | None) -> bool:
        """Whether ``callee`` names a project class deriving from a strategy's (its config is
        the strategy's options: `ExecTesterConfig(StrategyConfig)`)."""
        name = (callee or "").rsplit(".", 1)[-1]
        ancestors = [cls for _, cls in self.context.index.ancestors([name])] if name[:1].isupper() else []
        names = [base for cls in ancestors for base in cls["bases"]]
        return any(set(words(base)) & STRATEGY_WORDS for base in names)

    def _in_trading_class(self) -> bool:
        return any(kind == "class" and is_trading_name(name) for kind, name in self.scopes)

    def _mark_dict(self, value, name: str | None) -> None:
        if isinstance(value, cst.Dict) and is_trading_name(name):
            self.trading_dicts.add(id(value))

    def _callee(self, func) -> str | None:
        return dotted(func) or (func.attr.value if isinstance(func, cst.Attribute) else None)

    def _from_broker_sdk(self, func) -> bool:
        name = dotted(func)
        if name is None:
            return False
        qualified = self.context.imports.get(name.split(".")[0], "")
        return qualified.split(".")[0] in BROKER_SDKS

    def _check_sandbox_mode(self, node) -> None:
        """ccxt: `exchange.set_sandbox_mode(False)` turns the test venue off."""
        func = node.func
        if (
            isinstance(func, cst.Attribute) and func.attr.value in ("set_sandbox_mode", "setSandboxMode")
            and node.args and isinstance(node.args[0].value, cst.Name) and node.args[0].value.value == "False"
        ):
            self.report(node, self.message.format(setting=f"{func.attr.value}(False)"))

    def _check_fallback(self, node) -> None:
        """`os.environ.get("TRADING_MODE", "LIVE")`: live when the setting is absent."""
        func = node.func
        callee = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
        if callee not in FALLBACK_CALLS or len(node.args) < 2 or any(arg.keyword for arg in node.args[:2]):
            return
        key = string_value(node.args[0].value)
        fallback = string_value(node.args[1].value)
        if key is not None and setting_kind(key) == "mode" and fallback is not None and fallback.casefold() == "live":
            self.report(node, self.message.format(setting=_source(node)))

    def _check(self, node, name: str | None, value, shown: str) -> None:
        """Report ``node`` when setting ``name`` to ``value`` selects LIVE; ``shown`` is the
        left-hand side as the message quotes it."""
        kind = setting_kind(name) if name is not None else None
        if kind == "mode":
            hit = is_live_value(value)
        elif kind is not None:
            hit = isinstance(value, cst.Name) and value.value == ("False" if kind == "safety" else "True")
        else:
            return
        if hit:
            self.report(node, self.message.format(setting=shown + _source(value)))


def _source(node) -> str:
    return cst.Module([]).code_for_node(node)
