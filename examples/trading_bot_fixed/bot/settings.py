"""Deployment settings, read at run time: LIVE is the operator's act (`tradeguard live arm`), not the code's."""

import os

TRADING_MODE = os.environ.get("TRADING_MODE", "PAPER")
BROKER = {"venue": "oanda", "environment": os.environ.get("OANDA_ENVIRONMENT", "practice")}
