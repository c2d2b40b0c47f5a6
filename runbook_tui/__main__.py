"""`python -m runbook_tui` is the same as the `runbook-tui` command."""

from runbook_tui.cli import main

raise SystemExit(main())
