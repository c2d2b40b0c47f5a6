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
