"""What a notice's request body holds when runbook text is hostile: terminal controls, invisible characters, 10 MB."""

from __future__ import annotations

import json

from runbook_tui.notify.messages import TEXT_LIMIT, Notice, encode

C1_AND_FORMAT = "\x9b31m\x7f\u202ereversed\u2028\u200b"


def notice(title: str = "T", summary: str = "s", **details: object) -> Notice:
    return Notice("rollback_started", "rb", title, "CHG-1", "alice", "2026-01-01T00:00:00.000Z", "sess", summary, details)


def test_a_json_body_carries_terminal_controls_as_escapes_and_the_same_data() -> None:
    body = encode(notice(title=f"db {C1_AND_FORMAT}", reason=f"why {C1_AND_FORMAT}", esc="\x1b]52;c;x\x07"), "json")
    text = body.decode("utf-8")
    for raw in ("\x9b", "\x7f", "\u202e", "\u2028", "\u200b", "\x1b", "\x07"):
        assert raw not in text, f"{raw!r} would reach a terminal that prints the body: {text!r}"
    parsed = json.loads(body)
    assert parsed["title"] == f"db {C1_AND_FORMAT}" and parsed["details"]["reason"] == f"why {C1_AND_FORMAT}", "a JSON reader gets the data as it is"
    assert parsed["details"]["esc"] == "\x1b]52;c;x\x07"


def test_a_huge_title_or_reason_is_cut_in_both_formats_saying_so() -> None:
    huge = "x" * 10_000_000
    for fmt in ("json", "slack"):
        body = encode(notice(title=huge, summary=f"rolled back: {huge}", reason=huge, hosts=[huge]), fmt)
        assert len(body) < 8 * TEXT_LIMIT, f"{fmt}: {len(body):,} bytes posted for a 10 MB reason"
        parsed = json.loads(body)
        strings = [parsed["text"]] if fmt == "slack" else [parsed["title"], parsed["summary"], parsed["details"]["reason"], parsed["details"]["hosts"][0]]
        for cut in strings:
            assert cut.endswith("more characters not sent)"), f"{fmt}: a cut string says it was cut: {cut[-60:]!r}"


def test_a_short_body_is_sent_as_it_is() -> None:
    parsed = json.loads(encode(notice(title="Restart db", reason="lag"), "json"))
    assert parsed["title"] == "Restart db" and parsed["details"] == {"reason": "lag"} and parsed["summary"] == "s"


def test_slack_gets_entities_bare_urls_and_formatting_as_literal_text_with_no_preview() -> None:
    """Settled: a bare URL in runbook text stays as written (Slack links it, and what it shows is where it goes: no other
    words hide it), and no preview is fetched; `&amp;` typed arrives as `&amp;` on screen, not as `&`."""
    body = json.loads(encode(notice(summary="see https://evil.example/login &amp; *bold* _it_ <!here|x>"), "slack"))
    assert body["text"] == "[CHG-1] rb: see https://evil.example/login &amp;amp; *bold* _it_ &lt;!here|x&gt;"
    assert body["mrkdwn"] is False and body["unfurl_links"] is False and body["unfurl_media"] is False and body["link_names"] is False
