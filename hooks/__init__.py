"""Where tradeguard ships: pre-commit entry points, the flake8 plugin, the secret scanner.

Builds on ``lint_rules``; ``tradeguard.cli`` builds on this package.
"""
