"""Reading Alertmanager's answers about silences: the id it gave, its times, and whether a listed silence is the one
a dead process made for this run (`SilenceKeeper.resume`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from runbook_tui.notify.http import Answer, peer_clock
from runbook_tui.runbook.safe_text import visible_line


def made_for(found: dict[str, Any], body: dict[str, Any], since: str, skew: dt.timedelta = dt.timedelta(0), made_by: Collection[str] = ()) -> bool:
    """Is this Alertmanager silence the one `body` describes, created by one of `made_by` (by `body`'s creator when
    empty), made after `since` (the session's start, by our clock; Alertmanager's runs `skew` ahead) and still active?"""
    try:
        return (
            (found.get("status") or {}).get("state") == "active"
            and found.get("comment") == body["comment"]
            and found.get("createdBy") in (made_by or (body["createdBy"],))
            and made_after(found.get("startsAt"), since, skew)
            and sorted(map(matcher_key, found.get("matchers") or ())) == sorted(map(matcher_key, body["matchers"]))
            and usable_id(found.get("id")) is not None
            and all(is_time(found.get(key)) for key in ("startsAt", "endsAt"))  # journaled as this run's: read whole
        )
    except (AttributeError, TypeError):
        return False


def dead_makers(session: Mapping[str, Any]) -> frozenset[str]:
    """Whose name a silence the dead process made carries (`createdBy`): the person whose process it was (a resume's:
    `resumed_from`), or who started the run (and made them on resume before these were made by who resumes)."""
    return frozenset(str(session[key]) for key in ("actor", "resumed_from") if session.get(key))


#: What a silence's start may precede the session's start by, by Alertmanager's clock, and still be taken as made in
#: it: its Date has whole seconds, and is read a moment after it was written.
CLOCK_SLACK = dt.timedelta(seconds=2)


def made_after(start: Any, since: str, skew: dt.timedelta) -> bool:
    """Did Alertmanager start this silence after the session started? Read by its clock: `since` (ours) moved by `skew`
    (its clock minus ours, from its Date). Before, its time was compared with ours as they were: with its clock a
    second or more behind ours, resume took the silence the dead process made for someone else's and made it again,
    and the first stayed active, unknown to the journal, until its end."""
    if not since:
        return True
    if not is_time(start) or not is_time(since):
        return False
    try:
        return utc(start) >= utc(since) + skew - CLOCK_SLACK
    except OverflowError:  # near the ends of the calendar: no silence of ours
        return False


def utc(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def matcher_key(matcher: dict[str, Any]) -> tuple[str, str, bool, bool]:
    return str(matcher.get("name")), str(matcher.get("value")), bool(matcher.get("isRegex")), bool(matcher.get("isEqual", True))


#: The longest silence id taken from Alertmanager (its own are UUIDs, 36 characters).
ID_LIMIT = 100


def answered_id(answer: Answer) -> str | None:
    """The id Alertmanager gave, or None: none, or none it could have made (past ID_LIMIT, or holding a control
    character), which would be journaled and shown as it came."""
    if not answer.ok:
        return None
    try:
        found = answer.json().get("silenceID")
    except (ValueError, AttributeError):
        return None
    return usable_id(found)


def usable_id(found: Any) -> str | None:
    if not isinstance(found, (str, int)) or isinstance(found, bool) or not str(found):
        return None
    text = str(found)
    return text if len(text) <= ID_LIMIT and visible_line(text) == text else None


def ended(value: Any, now: dt.datetime) -> bool:
    """Has a journaled silence's `ends_at` passed? (One that cannot be read is not taken as ended.)"""
    if not is_time(value):
        return False
    end = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (end if end.tzinfo else end.replace(tzinfo=dt.UTC)) <= now


def is_time(value: Any) -> bool:
    """An ISO 8601 time as Alertmanager writes them (a listed silence lacking one raised KeyError in the resume's task:
    the silence was neither journaled nor said to have failed)."""
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


#: How much earlier than the end the run gave it a silence must have ended to have been expired by someone else (a
#: silence that lapsed at its own end keeps that end in Alertmanager, to the millisecond).
EARLY = dt.timedelta(seconds=1)


def expired_early(answer: Answer, ours: Any) -> str | None:
    """Alertmanager's answer for one of the run's silences (`GET /api/v2/silence/ID`): when it is expired before `ours`,
    the end the run gave it (someone expired or replaced it: its UI, amtool), the time it ended (its `endsAt`); else None."""
    if not answer.ok:
        return None
    try:
        found = answer.json()
    except (ValueError, TypeError):
        return None
    status = found.get("status") if isinstance(found, dict) else None
    if not isinstance(status, dict) or status.get("state") != "expired" or not is_time(found.get("endsAt")) or not is_time(ours):
        return None
    return str(found["endsAt"]) if utc(str(found["endsAt"])) <= utc(str(ours)) - EARLY else None


def extension(answer: Answer, ends: str) -> dict[str, Any] | None:
    """The body that extends the active silence in `answer` (`GET /api/v2/silence/ID`) to `ends`: its id, matchers,
    start, creator and comment as Alertmanager holds them (an active silence posted again with the same id and start
    is updated in place); None when it is not active (expired by someone: the watch says so) or cannot be read."""
    if not answer.ok:
        return None
    try:
        found = answer.json()
    except (ValueError, TypeError):
        return None
    if not isinstance(found, dict) or found.get("status") != {"state": "active"} or usable_id(found.get("id")) is None:
        return None
    if not is_time(found.get("startsAt")) or not isinstance(found.get("matchers"), list):
        return None
    keep = ("id", "matchers", "startsAt", "createdBy", "comment")
    return {key: found.get(key) for key in keep} | {"endsAt": ends}


def tried(answer: Answer, tries: int) -> Answer:
    """The last answer, its words saying how many times Alertmanager was asked."""
    return Answer(answer.status, answer.body, f"{answer.problem('Alertmanager')} (asked {tries} times)", kind=answer.kind)  # still not acted on


def nothing_to_expire(answer: Answer) -> str:
    """Why there was nothing to expire, when Alertmanager says so ("" otherwise): the silence is not there (Alertmanager
    restarted without its saved silences: 404, or 0.25's HTTP 500 `"silence not found"`). One expired already by someone
    answers 200, as one expired now."""
    if answer.ok or answer.status is None:
        return ""
    said = answer.body[:200].lower()
    if answer.status == 404 or "not found" in said:
        return (
            "not in Alertmanager when the run ended, so nothing was left to expire (Alertmanager restarted without its"
            " saved silences): the alerts it matched may have gone unsilenced since then"
        )
    return ""


def listed(answer: Answer) -> tuple[list[dict[str, Any]], dt.timedelta]:
    """Alertmanager's list of silences in `answer` (none when it is unreadable or cut short), and how far its clock is
    ahead of ours (from its Date)."""
    try:
        found = [f for f in answer.json() if isinstance(f, dict)] if answer.ok else []
    except (ValueError, TypeError):
        found = []
    return found, peer_clock(answer) or dt.timedelta(0)
