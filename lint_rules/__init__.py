"""Static analysis of trading code on LibCST: engine, config, project index, rules, output.

This package imports neither ``hooks`` nor ``tradeguard``; they build on it.
"""

__version__ = "0.1.0"
