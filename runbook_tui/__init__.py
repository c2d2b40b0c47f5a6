"""runbook-tui: carry an engineer through a risky production change, step by step."""

__version__ = "0.1.0"
