"""Executors: run rendered commands (local, ssh, dry-run, recorded) and stream their output."""
