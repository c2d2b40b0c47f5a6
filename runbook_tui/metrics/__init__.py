"""Metrics: sources (Prometheus, direct scrape), poller, guards, success checks."""
