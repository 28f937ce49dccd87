"""The one place orders leave the bot: tradeguard's gateway over the three connectors.

PAPER unless an operator has armed LIVE with `tradeguard live arm`.
"""

import os

from bot.connectors.coinbase import CoinbaseConnector
from bot.connectors.ibkr import IbkrConnector
from bot.connectors.oanda import OandaConnector
from tradeguard import OrderGateway


def build_gateway(prices=None) -> OrderGateway:
    connectors = {
        "oanda": OandaConnector(os.environ.get("OANDA_ACCOUNT_ID", "101-001-0000000-001"), os.environ.get("OANDA_TOKEN", "")),
        "ibkr": IbkrConnector(port=7497),
        "coinbase": CoinbaseConnector(os.environ.get("COINBASE_API_KEY", ""), os.environ.get("COINBASE_API_SECRET", "")),
    }
    return OrderGateway(connectors, price_source=prices)
