from __future__ import annotations

import re

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.lazy import cst
from lint_rules.rule import Invalid, Rule, Valid

# Live hosts and order endpoints, each with its broker. A host must start the name (no letter,
# dot or dash before it), so the practice, paper and sandbox twins never match:
# api-fxpractice.oanda.com, paper-api.alpaca.markets, api-sandbox.coinbase.com,
# api-public.sandbox.exchange.coinbase.com.
_HOST_START = r"(?<![\w.-])"
_HOST_END = r"(?![\w-])"
LIVE_ENDPOINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("OANDA", re.compile(_HOST_START + r"(?:api|stream)-fxtrade\.oanda\.com" + _HOST_END)),
    ("Alpaca", re.compile(_HOST_START + r"(?:broker-)?api\.alpaca\.markets" + _HOST_END)),
    # Coinbase: the production hosts' order resources (Advanced Trade, Exchange, International
    # Exchange); read-only and preview sub-paths send nothing. The bare host also serves prices
    # and accounts, so it alone is not reported.
    ("Coinbase", re.compile(
        _HOST_START
        + r"(?:api\.coinbase\.com/api/v3/brokerage|api\.exchange\.coinbase\.com|api\.international\.coinbase\.com/api/v1)"
        + r"/orders(?!/(?:historical|preview|edit_preview)\b)(?![\w-])"
    )),
)
# IBKR's live API ports; their paper twins are TWS 7497 and IB Gateway 4002.
IBKR_LIVE_PORTS = {7496: "TWS live", 4001: "IB Gateway live"}
_LIVE_PORT_TEXT = re.compile(r"(?<![\w.])(?:%s)(?![\w.])" % "|".join(map(str, IBKR_LIVE_PORTS)))
# A connect call takes (host, port, ...) or port=...: IB.connect, connectAsync, EClient.connect.
PORT_POSITION = 1


class LiveBrokerEndpoint(Rule):
    """Live broker endpoint hard-coded outside connector paths.

    ## What it does
    Reports, outside connector paths:
    - strings naming a live trading host or order endpoint: OANDA's `api-fxtrade.oanda.com` and
      `stream-fxtrade.oanda.com`; Alpaca's `api.alpaca.markets` (and `broker-api.alpaca.markets`);
      Coinbase's production order resources `api.coinbase.com/api/v3/brokerage/orders`
      (also `/orders/batch_cancel`, `/orders/edit`, `/orders/close_position`),
      `api.exchange.coinbase.com/orders` and `api.international.coinbase.com/api/v1/orders`,
      in plain strings and in the text of f-strings;
    - IBKR's live ports, TWS 7496 and IB Gateway 4001, passed to a connect call (any callee whose
      name contains `connect`: `ib.connect`, `connectAsync`, `EClient.connect`,
      `IbkrConnector(...)`) as the second positional argument or as `port=`, written as a literal
      or as a module constant (`LIVE_PORT = 7496`).

    The practice, paper and sandbox twins (`api-fxpractice.oanda.com`,
    `paper-api.alpaca.markets`, `api-sandbox.coinbase.com`, ports 7497 and 4002), Coinbase's
    read-only and preview paths (`/orders/historical/...`, `/orders/preview`), the bare Coinbase
    hosts (they also serve prices and accounts), market-data hosts (`data.alpaca.markets`),
    docstrings, comments and strings compared against
    (`if "api-fxtrade.oanda.com" in url:`) are not reported.

    ## Why is this bad?
    An endpoint decides where orders go whatever mode the code believes it runs in: a strategy
    pointed at `api-fxtrade.oanda.com` trades real money even with every paper flag set.
    Connectors are the one place that maps the operator's run-time choice to a host, so endpoint
    tables belong there and nowhere else.

    ## Example
    ```python
    OANDA_URL = "https://api-fxtrade.oanda.com/v3/accounts"
    ib.connect("127.0.0.1", 7496, clientId=1)
    ```

    ## Use instead
    Keep the table in a connector (under `connector-paths`) and choose from it at run time:
    ```python
    # bot/connectors/oanda.py
    HOSTS = {"practice": "api-fxpractice.oanda.com", "live": "api-fxtrade.oanda.com"}
    ```
    ```python
    ib.connect(settings.ib_host, settings.ib_port, clientId=1)   # 7497 unless the operator says so
    ```

    ## Options
    - `connector-paths`: where endpoint tables and live ports may be written.

    ## Fix safety
    No fix: the practice twin of an endpoint is a different account, so switching to it is the
    operator's decision.
    """

    code = "TG402"
    name = "live-broker-endpoint"
    message = (
        "live {broker} endpoint {what} hard-coded outside connector paths: "
        "endpoints belong in a connector, LIVE is chosen at run time"
    )

    VALID = [
        Valid('URL = "https://api-fxpractice.oanda.com/v3/accounts"\nSTREAM = "https://stream-fxpractice.oanda.com"'),
        Valid('BASE_URL = "https://paper-api.alpaca.markets"\nDATA = "https://data.alpaca.markets/v2"'),
        Valid('ORDERS = "https://api-sandbox.coinbase.com/api/v3/brokerage/orders"\n'
              'EX = "https://api-public.sandbox.exchange.coinbase.com/orders"'),
        Valid('HIST = "https://api.coinbase.com/api/v3/brokerage/orders/historical/batch"\n'
              'PREVIEW = "https://api.coinbase.com/api/v3/brokerage/orders/preview"\n'
              'PRODUCTS = "https://api.coinbase.com/api/v3/brokerage/products"'),
        Valid('ib.connect("127.0.0.1", 7497, clientId=1)\nib.connect("127.0.0.1", port=4002)\nIB().connectAsync(host, 4002)'),
        Valid('server.listen(4001)\nsettings = {"port": 7496}\nPORTS = (7496, 4001)'),
        Valid('if port == 7496:\n    log.warning("live TWS port")'),
        Valid('if "api-fxtrade.oanda.com" in url:\n    raise RuntimeError("live host")\nassert host != "api.alpaca.markets"'),
        Valid('"""Live trading uses api-fxtrade.oanda.com; this module never does."""\n# ib.connect(host, 7496)'),
        Valid('HOST = os.environ.get("OANDA_HOST", "api-fxpractice.oanda.com")\nPORT = int(os.environ["IB_PORT"])'),
        Valid('HOSTS = {"practice": "api-fxpractice.oanda.com", "live": "api-fxtrade.oanda.com"}\n'
              'def connect(self):\n    self.ib.connect(self.host, 7496)',
              path="bot/connectors/oanda.py", config={"connector-paths": ["bot/connectors/**"]}),
    ]
    INVALID = [
        Invalid('OANDA_URL = "https://api-fxtrade.oanda.com/v3/accounts"', message="OANDA"),
        Invalid('x = 1\nstream = f"https://stream-fxtrade.oanda.com/v3/accounts/{account}/pricing/stream"', line=2),
        Invalid('client = REST(key, secret, base_url="https://api.alpaca.markets")', message="Alpaca"),
        Invalid('requests.post("https://api.coinbase.com/api/v3/brokerage/orders", json=body)', message="Coinbase"),
        Invalid('url = f"https://api.coinbase.com/api/v3/brokerage/orders/batch_cancel"'),
        Invalid('EX = "https://api.exchange.coinbase.com/orders"'),
        Invalid('ib = IB()\nib.connect("127.0.0.1", 7496, clientId=1)', line=2, message="7496"),
        Invalid('ib.connect(host="127.0.0.1", port=4001, clientId=1)', message="4001"),
        Invalid('await ib.connectAsync("127.0.0.1", 4001)'),
        Invalid('app.connect("127.0.0.1", 7496, clientId=0)'),
        Invalid('LIVE_PORT = 7496\n\nib.connect(HOST, LIVE_PORT)', line=3, message="LIVE_PORT"),
        Invalid('broker = IbkrConnector(port=7496)'),
        Invalid('HOST = os.environ.get("OANDA_HOST", "api-fxtrade.oanda.com")'),
        Invalid('URL = "https://api-fxtrade.oanda.com"', path="bot/execution/gateway.py",
                config={"gateway-paths": ["bot/execution/gateway.py"], "connector-paths": ["bot/connectors/**"]}),
    ]

    @classmethod
    def tokens(cls, config: Config) -> tuple[str, ...]:
        return ("fxtrade", "alpaca.markets", "coinbase.com", *map(str, IBKR_LIVE_PORTS))

    @classmethod
    def applies_to(cls, context: FileContext) -> bool:
        """Not in connector paths; and only where the text holds a live host, or a live port
        beside a connect call (the tokens alone match every `4001` of a file)."""
        if context.is_connector:
            return False
        text = context.text
        if any(pattern.search(text) for _, pattern in LIVE_ENDPOINTS):
            return True
        return _LIVE_PORT_TEXT.search(text) is not None and "connect" in text.lower()

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.exempt: set[int] = set()            # ids of string parts that are docs or compared against
        self.constants: dict[str, int] = {}      # module-level NAME = <int>

    def visit_Module(self, node) -> None:
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and isinstance(small.value, cst.Integer):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            self.constants[target.target.value] = small.value.evaluated_value

    # Docstrings and other bare string statements are prose.
    def visit_Expr(self, node) -> None:
        self.exempt.update(map(id, _string_parts(node.value)))

    # `"api-fxtrade.oanda.com" in url` reads a host; it sends nothing there.
    def visit_Comparison(self, node) -> None:
        for operand in (node.left, *(target.comparator for target in node.comparisons)):
            self.exempt.update(map(id, _string_parts(operand)))

    def visit_SimpleString(self, node) -> None:
        value = node.evaluated_value
        if isinstance(value, str):
            self._check_text(node, value)

    def visit_FormattedStringText(self, node) -> None:
        self._check_text(node, node.value)

    def _check_text(self, node, text: str) -> None:
        if id(node) in self.exempt:
            return
        for broker, pattern in LIVE_ENDPOINTS:
            match = pattern.search(text)
            if match:
                self.report(node, self.message.format(broker=broker, what=f"`{match.group()}`"))
                return

    def visit_Call(self, node) -> None:
        func = node.func
        callee = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if "connect" not in callee.lower():
            return
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        port = next((arg.value for arg in node.args if arg.keyword is not None and arg.keyword.value == "port"), None)
        if port is None and len(positional) > PORT_POSITION:
            port = positional[PORT_POSITION].value
        number = self._integer(port)
        if number in IBKR_LIVE_PORTS:
            shown = str(number) if isinstance(port, cst.Integer) else f"{port.value} = {number}"
            what = f"`{shown}` ({IBKR_LIVE_PORTS[number]} port) passed to `{callee}(...)`"
            self.report(node, self.message.format(broker="IBKR", what=what))

    def _integer(self, node) -> int | None:
        if isinstance(node, cst.Integer):
            return node.evaluated_value
        if isinstance(node, cst.Name):
            return self.constants.get(node.value)
        return None


def _string_parts(node) -> list:
    """The literal parts of a string expression (plain, implicitly concatenated or f-string)."""
    if isinstance(node, cst.SimpleString):
        return [node]
    if isinstance(node, cst.ConcatenatedString):
        return [*_string_parts(node.left), *_string_parts(node.right)]
    if isinstance(node, cst.FormattedString):
        return [part for part in node.parts if isinstance(part, cst.FormattedStringText)]
    return []
