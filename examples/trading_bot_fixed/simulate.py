"""The PAPER flow `tradeguard readiness --simulate` runs: strategies, connectors, gateway, audit log.

`tradeguard readiness --simulate` runs it with the import path pyproject.toml declares
(``[tool.pytest.ini_options] pythonpath``: here the offline SDK stand-ins). By hand:

    PYTHONPATH=../sdk_standins TRADEGUARD_MODE=PAPER python simulate.py
"""

from bot.execution.gateway import build_gateway
from bot.strategies.breakout import Breakout
from bot.strategies.mean_reversion import MeanReversion
from bot.strategies.momentum import Momentum


def main() -> None:
    gateway = build_gateway(prices={"EUR_USD": 1.1, "AAPL": 190.0})
    Momentum(gateway).on_bar(1.10, 1.11)
    MeanReversion(gateway).on_prices("AAPL", [100.0, 100.0, 100.0], 110.0)
    Breakout(gateway).on_bar("AAPL", 188.0, 190.0)
    print(f"{gateway.mode}: positions {gateway.positions()}")


if __name__ == "__main__":
    main()
