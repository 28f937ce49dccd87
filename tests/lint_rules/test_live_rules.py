"""TG401 (hard-coded LIVE) and TG402 (live broker endpoints) beyond their own examples: every
casing, the token prefilter, path exemptions, suppressions, and the example project through the CLI."""

import json
import shutil
import textwrap

from lint_rules.config import Config
from lint_rules.context import FileContext
from lint_rules.engine import RuleSet
from lint_rules.index import ProjectIndex
from lint_rules.rules.tg401_hardcoded_live import LIVE_SPELLINGS, HardCodedLive
from lint_rules.rules.tg402_live_endpoint import LiveBrokerEndpoint
from lint_rules.runner import check_paths
from tests.conftest import REPO, run_cli

LAYOUT = '[tool.tradeguard]\ngateway-paths = ["bot/gateway.py"]\nconnector-paths = ["bot/connectors/**"]\n'


def project(tmp_path, files: dict[str, str], pyproject: str = LAYOUT):
    (tmp_path / "pyproject.toml").write_text(pyproject)
    for rel, code in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code).lstrip("\n"))
    return tmp_path


def found(root, codes=("TG401", "TG402")) -> list[tuple[str, int, str]]:
    result = check_paths([root], select=codes, use_cache=False)
    return sorted((f.path.rsplit(root.name + "/", 1)[-1], f.line, f.code) for f in result.findings)


def test_every_casing_of_live_is_reported(tmp_path):
    assert len(LIVE_SPELLINGS) == 16 and {"live", "LIVE", "Live", "lIvE"} <= set(LIVE_SPELLINGS)
    lines = "".join(f'TRADING_MODE = "{spelling}"\n' for spelling in LIVE_SPELLINGS)
    root = project(tmp_path, {"bot/settings.py": lines})
    assert [line for _, line, _ in found(root)] == list(range(1, 17))


def test_files_without_tokens_are_never_parsed():
    config = Config(root=REPO)
    ruleset = RuleSet.for_config(config)
    quiet = 'MODE = os.environ["TRADING_MODE"]\nif MODE == "SIM":\n    api = API(token, environment="practice")\n'
    context = FileContext("bot/settings.py", quiet, config, ProjectIndex(()))
    assert not {HardCodedLive, LiveBrokerEndpoint} & set(ruleset.rules_for(context))
    noisy = FileContext("bot/settings.py", quiet + 'HOST = "api-fxtrade.oanda.com"\n', config, ProjectIndex(()))
    assert LiveBrokerEndpoint in ruleset.rules_for(noisy)


def test_a_switch_is_reported_only_when_its_name_holds_a_token(tmp_path):
    # `PAPEr` lower-cases to `paper` but holds no token: a file without other tokens would never be
    # parsed, so it must not be reported when something else ("live") makes the file parsed.
    root = project(tmp_path, {"bot/a.py": "PAPEr = False\nstatus = 'live'\n", "bot/b.py": "client = Client(isPaper=False)\n"})
    assert found(root) == [("bot/b.py", 1, "TG401")]


def test_exemptions_are_per_rule(tmp_path):
    code = 'URL = "https://api-fxtrade.oanda.com"\nMODE = "LIVE"\n'
    root = project(tmp_path, {"bot/gateway.py": code, "bot/connectors/oanda.py": code, "bot/strategy.py": code})
    assert found(root) == [
        ("bot/connectors/oanda.py", 2, "TG401"),   # a connector may hold endpoints, not switch LIVE on
        ("bot/gateway.py", 1, "TG402"),            # the gateway may name LIVE, not hold endpoints
        ("bot/strategy.py", 1, "TG402"),
        ("bot/strategy.py", 2, "TG401"),
    ]


def test_suppressions_and_per_file_ignores(tmp_path):
    pyproject = LAYOUT + '\n[tool.tradeguard.per-file-ignores]\n"tests/**" = ["TG401"]\n'
    root = project(tmp_path, {
        "bot/staging.py": 'TRADING_MODE = "LIVE"  # noqa: TG401 -- staging box, never armed\nMODE = "LIVE"  # noqa: TG402\n',
        "tests/test_live.py": 'gateway = OrderGateway(connectors, mode="LIVE")\nib.connect(HOST, 4001)\n',
    }, pyproject)
    assert found(root) == [("bot/staging.py", 2, "TG401"), ("tests/test_live.py", 2, "TG402")]


def test_messages_quote_the_setting_and_the_endpoint(tmp_path):
    root = project(tmp_path, {"bot/run.py": 'api = API(token, environment="Live")\nib.connect(host, port=GATEWAY)\nGATEWAY = 4001\n'})
    first, second = check_paths([root], use_cache=False).findings
    assert first.code == "TG401" and '`environment="Live"`' in first.message
    assert second.code == "TG402" and "`GATEWAY = 4001` (IB Gateway live port) passed to `connect(...)`" in second.message


def test_example_project_through_the_cli(tmp_path):
    for name in ("trading_bot", "trading_bot_fixed"):
        shutil.copytree(REPO / "examples" / name, tmp_path / name, ignore=shutil.ignore_patterns(".tradeguard_cache"))
    done = run_cli("check", "trading_bot", "--select", "TG4", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert sorted((f["path"], f["line"], f["code"]) for f in json.loads(done.stdout)) == [
        ("trading_bot/bot/settings.py", 3, "TG401"),
        ("trading_bot/bot/settings.py", 4, "TG401"),
        ("trading_bot/bot/strategies/breakout.py", 6, "TG402"),
        ("trading_bot/bot/strategies/breakout.py", 11, "TG402"),
        ("trading_bot/bot/strategies/breakout.py", 12, "TG401"),
    ]
    clean = run_cli("check", "trading_bot_fixed", "--select", "TG4", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    docs = run_cli("rule", "TG402")
    assert docs.returncode == 0 and "## Why is this bad?" in docs.stdout and "7497" in docs.stdout


def test_the_prefilter_keeps_every_finding():
    """TG401's text check before parsing (`NEEDED_TEXT`) matches the line of every finding of its
    own examples, so a file it skips could not have been reported."""
    from lint_rules.examples import example_text
    from lint_rules.rules.tg401_hardcoded_live import NEEDED_TEXT

    for example in HardCodedLive.INVALID:
        lines = example_text(example.code).splitlines()
        assert NEEDED_TEXT.search(lines[example.line - 1]), lines[example.line - 1]
    for quiet in (
        "self.app.live_updates = True", "delivery = False", "alive_paper = compute()", "from x.live import y",
        "if env == Environment.LIVE:", "if env in (Environment.SANDBOX, Environment.LIVE):",
    ):
        assert NEEDED_TEXT.search(quiet) is None, quiet


def test_live_switches_are_judged_by_what_they_configure(tmp_path):
    root = project(tmp_path, {
        "hb/model/db_migration/transformations.py": 'class AddColumn:\n    def apply(self, db):\n        self.add_column(db.engine, "Order", col, dry_run=False)\n',
        "hb/client/status.py": "async def show(self):\n    await self.strategy_status(live=True)\n",
        "ft/freqai/model.py": "self.freqai.live = True\n",
        "ft/stubs/client.pyi": "class Client:\n    def __init__(self, testnet: bool = False) -> None: ...\n",
        "bot/run.py": 'exchange = ccxt.binance(config)\nexchange.set_sandbox_mode(False)\nclient = BybitHttpClient(key, demo=False)\n',
    })
    assert found(root) == [("bot/run.py", 2, "TG401"), ("bot/run.py", 3, "TG401")]
