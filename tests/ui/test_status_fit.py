"""A calm status row cut to the screen's width: a title cut to a fragment is left out, not shown as `At le…`."""

from __future__ import annotations

from runbook_tui.ui.status_fit import fit

NEXT = "Next: 'disk-space-on-primary-database-volume' on local · At least 10 GB free on the primary database's data volume"


def test_a_title_cut_to_a_fragment_is_left_out_and_the_id_and_keys_stay_whole() -> None:
    """At 80 columns the assignee's row read `Next: 'disk-space-on-primary-database-volume' on local · At le… — enter
    run it`: `At le…` a word of its own. Now the title gives way whole (`· …`); where ten cells or more of it fit, it is
    cut as before."""
    text, tail = fit(NEXT, "enter run it", 78)
    assert (text, tail) == ("Next: 'disk-space-on-primary-database-volume' on local · …", " — enter run it"), text
    assert len(text + tail) <= 78
    text, tail = fit(NEXT, "enter run it", 100)
    assert text.startswith("Next: 'disk-space-on-primary-database-volume' on local · At least 10 GB free on") and text.endswith("…"), text
    assert len(text + tail) <= 100
    assert fit("Next: 'reload' on web · Reload nginx", "enter run it", 78) == ("Next: 'reload' on web · Reload nginx", " — enter run it")
    # words without a ` · ` part are cut at the end as before
    assert fit("'reload' FAILED (exit 3) on web1, web2, web3", "enter re-run", 45)[0] == "'reload' FAILED (exit 3) on w…"


LONG = "look-at-the-very-long-step-identifier-for-the-precheck"


def test_a_long_id_gives_way_in_its_middle_so_whose_move_it_is_stays_on_the_row() -> None:
    """Walked at 80x24 as the verifier: `Next: 'look-at-the-very-long-step-identifier-for-the-precheck' on local: alic…`
    (whose move it was, and that bob's word follows, cut off). The id is cut in its middle first, its start and end
    kept; the pane's title below names it whole."""
    said = f"Next: '{LONG}' on local: alice runs it, then your word · Look at the disk usage"
    text, tail = fit(said, "", 78, LONG)
    assert text.startswith("Next: 'look-at-the-") and "-precheck' on local: alice runs it, then your word" in text, text
    assert len(text) <= 78 and tail == ""
    text, tail = fit(f"Next: '{LONG}' on local · Look at the disk usage", "enter run it", 78, LONG)
    assert "-precheck' on local · " in text and tail == " — enter run it" and len(text + tail) <= 78, text
    # an id that leaves the words before the title room is whole, as before
    assert fit(NEXT, "enter run it", 78, "disk-space-on-primary-database-volume")[0].startswith("Next: 'disk-space-on-primary-database-volume' on local")
