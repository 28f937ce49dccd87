"""Report formats for CI systems: SARIF (GitHub code scanning), GitHub Actions annotations and
GitLab Code Quality. Each module has one ``render_*`` function of the findings; ``output.py``
registers them beside text and JSON.

Findings carry paths relative to the working directory, so CI jobs run from the repository root.
"""
