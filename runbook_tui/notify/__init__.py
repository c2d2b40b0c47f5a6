"""Reaching people and the alerting stack: webhooks for what happens in a run, Alertmanager silences for the change."""
