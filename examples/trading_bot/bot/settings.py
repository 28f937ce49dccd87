"""Deployment settings, checked in: whatever is written here runs wherever the code runs."""

TRADING_MODE = "LIVE"
BROKER = {"venue": "oanda", "environment": "live"}
