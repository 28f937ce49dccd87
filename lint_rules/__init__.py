"""Static analysis of trading code on LibCST: engine, config, project index, rules, output.

This package imports neither ``hooks`` nor ``tradeguard``; they build on it.
"""

# tradeguard's version, written here only: pyproject.toml reads it for the package metadata, and
# the runtime (which may not import this package) reads it from there.
__version__ = "0.1.0"
