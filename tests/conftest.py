"""Fixtures shared by every test directory; the real peers live in peers.py."""

from peers import (
    prometheus,  # noqa: F401  (session fixture: Debian's Prometheus on loopback, scraping an exporter the test drives)
    sshd,  # noqa: F401  (session fixture: a real OpenSSH sshd on loopback)
)
