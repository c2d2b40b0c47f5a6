"""What the share server counted instead of journaling (`share_closed`), in the record's words."""

from __future__ import annotations

_CONNECTION_WORDS = (
    ("authenticated", "authenticated"),
    ("unauthenticated", "closed before authenticating"),
    ("refused_address", "refused (too many waiting from one address)"),
    ("refused_total", "refused (too many waiting in all)"),
    ("refused_descriptors", "refused (file descriptors kept for the run)"),
    ("refused_sessions", "sessions refused (too many at once)"),
    ("refused_requests", "requests refused (too many too fast)"),
    ("sessions_counted", "sessions counted, not journaled one by one"),
)


def share_connections(counts: dict[str, int]) -> str:
    """What the share server counted: `1 authenticated, 5,717 refused (too many waiting from one address)`. Those that
    never asked to log in are said apart: every `join` makes one or two (it reads the session's SSH version, and on
    first contact its host key), which read as someone failing to get in."""
    looked = counts.get("no_login_tried", 0)  # counted among `unauthenticated` in the journal
    said = list[str]()
    for key, words in _CONNECTION_WORDS:
        count = counts.get(key, 0) - (looked if key == "unauthenticated" else 0)
        if count > 0:
            said.append(f"{count:,} {words}" + (" (after asking to log in)" if key == "unauthenticated" and looked else ""))
        if key == "unauthenticated" and looked > 0:
            said.append(f"{looked:,} closed without asking to log in (as join does: it reads the session's SSH version, and on first contact its host key)")
    return ", ".join(said)
