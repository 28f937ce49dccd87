"""`python -m tradeguard.cli …` runs the `tradeguard` command."""

from tradeguard.cli import main

raise SystemExit(main())
