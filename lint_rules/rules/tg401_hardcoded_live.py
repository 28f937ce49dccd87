from __future__ import annotations

import itertools
import re

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Rule, Valid

# "live" in every casing ("live", "LIVE", "Live", "lIvE", ...): the value a mode is set to.
LIVE_SPELLINGS = tuple("".join(letters) for letters in itertools.product(*zip("live", "LIVE")))
# Names of settings that select the trading mode or environment: TRADING_MODE, self.mode,
# environment=, OANDA_ENV, account_type, ... (matched on the snake_case, lower-case name).
MODE_SETTING = re.compile(r"(?:^|_)(?:mode|env|environment|account_type|trading)$")
# Switches whose False means "real money": paper=False, DRY_RUN = False, use_sandbox=False, ...
SAFETY_SWITCH = re.compile(r"(?:^|_)(?:paper|paper_trading|dry_run|dryrun|sandbox|sandbox_mode|testnet)$")
SAFETY_SWITCH_TOKENS = tuple(
    spelling for root in ("paper", "dry", "sandbox", "testnet") for spelling in (root, root.upper(), root.title())
)
# Switches whose True means "real money": live=True, LIVE_TRADING = True, use_live=True.
LIVE_SWITCH = re.compile(r"(?:^|_)live_trading$|^(?:use_|enable_)?live$")
# Look-ups whose second argument is the value used when the setting is absent.
FALLBACK_CALLS = frozenset({"get", "getenv", "setdefault", "putenv"})
_SAFETY_TOKEN = re.compile("|".join(SAFETY_SWITCH_TOKENS))
_LIVE_TOKEN = re.compile("live", re.IGNORECASE)
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def setting_kind(name: str) -> str | None:
    """``"mode"``, ``"safety"`` (False is live) or ``"live"`` (True is live) for a setting's name.

    Switch names count only when they hold one of the rule's tokens as written, so a file the
    token prefilter skips could never have been reported (``isPaper`` yes, ``PAPEr`` no).
    """
    normalized = _CAMEL_HUMP.sub("_", name).replace("-", "_").replace(".", "_").lower()
    if SAFETY_SWITCH.search(normalized) and _SAFETY_TOKEN.search(name):
        return "safety"
    if LIVE_SWITCH.search(normalized) and _LIVE_TOKEN.search(name):
        return "live"
    if MODE_SETTING.search(normalized):  # after the switches: PAPER_TRADING ends in "trading"
        return "mode"
    return None


def is_live_value(node) -> bool:
    """``"live"`` in any casing, or a constant or enum member named so (``LIVE``, ``Mode.LIVE``)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return isinstance(value, str) and value.strip().casefold() == "live"
    if isinstance(node, cst.Attribute):
        return node.attr.value.casefold() == "live"
    return isinstance(node, cst.Name) and node.value.casefold() == "live"


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
    - a mode or environment setting given the value live, in any casing, as a string or as a
      constant or enum member named so: module constants (`TRADING_MODE = "LIVE"`), attributes
      (`self.mode = "live"`), items (`os.environ["TRADING_MODE"] = "LIVE"`), dict and config
      literals (`{"environment": "live"}`), keyword arguments (`environment="live"`,
      `trading_mode="live"`, `mode=Mode.LIVE`) and parameter defaults (`def connect(mode="live")`);
    - a broker's safety switch turned off the same ways: `paper=False`, `dry_run=False`,
      `sandbox=False`, `testnet=False` (also `is_paper`, `use_sandbox`, `PAPER_TRADING`,
      `isPaper`, ...), and a live switch turned on: `live=True`, `LIVE_TRADING = True`;
    - a look-up that falls back to live when the setting is absent:
      `os.environ.get("TRADING_MODE", "LIVE")`, `config.setdefault("mode", "live")`.

    Reading or comparing a mode (`if mode == "LIVE":`), look-ups that fall back to PAPER,
    enum definitions (`LIVE = "live"`), docstrings and comments are not reported. Gateway paths
    are exempt: the gateway is where LIVE is honoured once an operator armed it.

    A setting is recognised by its name: names ending in `mode`, `env`, `environment`,
    `account_type` or `trading` (snake_case or camelCase, any casing).

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
        Valid('exchange = ccxt.binance({"sandbox": True})\nClient(key, secret, testnet=True)\nrun(dry_run=True)'),
        Valid('class Mode(enum.Enum):\n    PAPER = "paper"\n    LIVE = "live"'),
        Valid('MODES = ("paper", "live")\nparser.add_argument("--mode", choices=["paper", "live"])'),
        Valid('status = "live"\nfeed = Feed(kind="live")\nclient.reqMarketDataType(1)'),
        Valid('def dry_run(self, symbol):\n    return self.preview(symbol)'),
        Valid('paper = not os.environ.get("LIVE")\nClient(paper=paper)'),
        Valid('OrderGateway(connectors, mode="LIVE")', path="bot/execution/gateway.py",
              config={"gateway-paths": ["bot/execution/gateway.py"]}),
    ]
    INVALID = [
        Invalid('TRADING_MODE = "LIVE"', message='`TRADING_MODE = "LIVE"`'),
        Invalid('class Bot:\n    def __init__(self):\n        self.mode = "live"', line=3),
        Invalid('MODE: str = "Live"'),
        Invalid('CONFIG = {\n    "broker": "oanda",\n    "environment": "live",\n}', line=3),
        Invalid('os.environ["TRADING_MODE"] = "LIVE"'),
        Invalid('client = TradingClient(key, secret, paper=False)', message="`paper=False`"),
        Invalid('run(dry_run=False)\nClient(key, secret, testnet=False)\nex = Exchange(sandbox=False)', count=3),
        Invalid('api = oandapyV20.API(access_token=token, environment="live")'),
        Invalid('ib = IBGateway(trading_mode="LIVE")'),
        Invalid('gateway = OrderGateway(connectors, mode="LIVE")'),
        Invalid('mode = Mode.LIVE'),
        Invalid('def connect(token, environment="live"):\n    pass'),
        Invalid('def build(paper: bool = False):\n    pass'),
        Invalid('LIVE_TRADING = True\nUSE_SANDBOX = False\nsettings = {"isPaper": False, "paper_trading": False}', count=4),
        Invalid('broker = Broker(live=True)'),
        Invalid('MODE = os.environ.get("TRADING_MODE", "LIVE")', message="os.environ.get"),
        Invalid('x = 1\nsettings.setdefault("mode", "live")', line=2),
    ]

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return (*LIVE_SPELLINGS, *SAFETY_SWITCH_TOKENS)

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        return not context.is_gateway

    # assignments: NAME = v, self.attr = v, x["key"] = v, NAME: T = v
    def visit_Assign(self, node) -> None:
        for target in node.targets:
            self._check(node, target_name(target.target), node.value, f"{_source(target.target)} = ")

    def visit_AnnAssign(self, node) -> None:
        if node.value is not None:
            self._check(node, target_name(node.target), node.value, f"{_source(node.target)} = ")

    # {"environment": "live"}
    def visit_DictElement(self, node) -> None:
        self._check(node, string_value(node.key), node.value, f"{_source(node.key)}: ")

    # f(paper=False)
    def visit_Arg(self, node) -> None:
        if node.keyword is not None:
            self._check(node, node.keyword.value, node.value, f"{node.keyword.value}=")

    # def f(environment="live")
    def visit_Param(self, node) -> None:
        if node.default is not None:
            self._check(node, node.name.value, node.default, f"{node.name.value}=")

    # os.environ.get("TRADING_MODE", "LIVE")
    def visit_Call(self, node) -> None:
        func = node.func
        callee = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
        if callee not in FALLBACK_CALLS or len(node.args) < 2 or any(arg.keyword for arg in node.args[:2]):
            return
        key = string_value(node.args[0].value)
        if key is not None and setting_kind(key) == "mode" and is_live_value(node.args[1].value):
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
