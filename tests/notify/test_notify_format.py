"""`notify:`, `alerts:` and `on_no_data:` as written: errors at FILE:LINE:COL, in runbooks and in settings; notices in words."""

from __future__ import annotations

import asyncio
import socket
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import ManualClockLoop
from waiting import until

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings, SettingsError, load_settings
from runbook_tui.engine.actors import Actor
from runbook_tui.engine.state import replay
from runbook_tui.notify.messages import Notice, slack_body
from runbook_tui.notify.triggers import Announcer
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.reach import NotifyTiming, SecretRef

BAD = """\
runbook: 1
id: t
title: T
notify:
  - url: ftp://example.com/hook
    events: [sessoin_started]
    formt: json
  - {url: "https://example.com", headers: {A: {env: X, keyring: {service: a, username: b}}}}
  - {url: "https://example.com/muted", events: []}
alerts:
  alertmanager: http://am:9093
  silence:
    - matchers: ['alertname=HighErrorRate', 'x=~"("']
    - {matchers: [], comment: everything}
  until: forever
metrics:
  source: {prometheus: {url: "http://x:9090"}}
  panels:
    - {id: a, query: up, critical: 1, on_no_data: panic}
sections:
  - {id: s, kind: precheck, steps: [{id: one, run: "true"}]}
"""


def test_every_mistake_is_named_at_its_position(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(BAD)
    with pytest.raises(RunbookInvalid) as invalid:
        load_runbook(path)
    assert (
        [str(d).replace(str(path), "F") for d in invalid.value.errors]
        == [
            "F:5:10: 'url': expected an http:// or https:// URL, got 'ftp://example.com/hook'",
            "F:6:14: unknown event 'sessoin_started'; expected one of: session_started, verifier_missing, confirmation_waiting, guard_tripped, rollback_started, rollback_finished, window_closing, session_finished",
            "F:7:5: unknown key 'formt' in notify entry; did you mean 'format'? expected one of: events, format, headers, url",
            "F:8:47: 'A': expected exactly one of env: VARIABLE or keyring: {service, username}",
            "F:9:48: 'events': an empty list; expected events listed, `events` left out for every event, or no entry for none",  # before: sent every event
            'F:13:18: \'alertname=HighErrorRate\': expected label="value" (also !=, =~, !~), e.g. alertname="HighErrorRate"',
            "F:13:45: 'x=~\"(\"': bad regular expression '(': missing ), unterminated subpattern at position 0; expected a regular expression that compiles",  # before: no 'expected'
            "F:14:7: a silence needs at least one matcher; expected one or more (an empty list would silence every alert)",
            "F:15:10: 'until': expected one of session_end, window_end, got 'forever'",
            "F:19:51: 'on_no_data': expected one of pause, notify, ignore, got 'panic'",
        ]
    )


def test_a_bad_alertmanager_url_is_named_beside_a_bad_silence(write_runbook: Callable[..., Path]) -> None:
    """Before: a mistake in a silence hid the URL's, which showed only once the silence was fixed."""
    path = write_runbook(BAD.replace("alertmanager: http://am:9093", "alertmanager: am:9093"))
    with pytest.raises(RunbookInvalid) as invalid:
        load_runbook(path)
    said = [str(d).replace(str(path), "F") for d in invalid.value.errors]
    assert "F:11:17: 'alertmanager': expected an http:// or https:// URL, got 'am:9093'" in said
    assert any(line.startswith("F:14:7: a silence needs at least one matcher") for line in said)


def test_until_window_end_without_a_window_is_refused_at_until(write_runbook: Callable[..., Path]) -> None:
    """The silences were to last to the change window's end, and the ticket had none: they quietly lasted 4 hours from
    the start and outlived a rollback. Now `validate` refuses it at `until`; with a window it loads."""
    runbook = 'runbook: 1\nid: t\ntitle: T\n{ticket}alerts:\n  alertmanager: http://am:9093\n  silence: [{{matchers: [\'a="b"\']}}]\n  until: window_end\nsections:\n  - {{id: s, steps: [{{id: one, run: "true"}}]}}\n'
    path = write_runbook(runbook.format(ticket="ticket: {id: CHG-1}\n"))
    with pytest.raises(RunbookInvalid) as invalid:
        load_runbook(path)
    assert [str(d).replace(str(path), "F") for d in invalid.value.errors] == [
        "F:8:10: 'until: window_end' keeps the silences to the change window's end, and this runbook's ticket has no window; "
        "expected ticket.window (start, end), or until: session_end"
    ]
    window = "ticket:\n  id: CHG-1\n  window: {start: 2026-11-23T02:00:00+09:00, end: 2026-11-23T04:00:00+09:00}\n"
    assert load_runbook(write_runbook(runbook.format(ticket=window))).runbook.alerts is not None


def test_matchers_render_params_and_on_no_data_follows_on_critical(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        textwrap.dedent("""\
        runbook: 1
        id: t
        title: T
        params: {svc: {type: string, default: checkout}}
        notify: [{url: {env: CHAT_URL, prefix: ""}, format: slack}]
        alerts:
          alertmanager: http://am:9093/
          silence: [{matchers: ['service="{{ svc }}"', 'env!~"dev|test"']}]
        metrics:
          source: {scrape: {url: "http://x:9100/metrics"}}
          panels:
            - {id: a, query: up, critical: 1}
            - {id: b, query: up, critical: 1, on_critical: rollback}
            - {id: c, query: up, critical: 1, on_critical: notify}
        sections:
          - {id: s, kind: precheck, steps: [{id: one, run: "true"}]}
        """)
    )
    runbook = load_runbook(path).runbook
    assert runbook.alerts is not None and runbook.alerts.alertmanager == "http://am:9093"
    assert [str(m) for m in runbook.alerts.silences[0].matchers] == ['service="checkout"', 'env!~"dev|test"']
    assert isinstance(runbook.notify[0].url, SecretRef) and runbook.notify[0].shown_url == "env:CHAT_URL"
    assert runbook.metrics is not None and [p.on_no_data for p in runbook.metrics.panels] == ["pause", "pause", "notify"]


def test_settings_notify_errors_name_file_line_and_column(tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("max_concurrency: 5\nnotify:\n  - {url: 'https://hooks.example.com/x', format: teams}\nnotify_timing: {window_closing: soon}\n")
    with pytest.raises(SettingsError) as error:
        load_settings(settings)
    assert str(error.value).splitlines() == [
        f"{settings}:3:50: 'format': expected one of json, slack, got 'teams'",
        f"{settings}:4:33: notify_timing.window_closing: expected a duration like 30s, 5m, 1h30m or a number of seconds, got 'soon'",
    ]
    # 0s failed every send ("did not answer within 0s"); 1e12 and a 400-digit `d` (inf) made each send an OverflowError traceback
    for timing, column, words in [
        ("{timeout: 0s}", 26, "notify_timing.timeout: expected more than 0s and at most 10m, got '0s'"),
        ("{timeout: 1e12}", 26, "notify_timing.timeout: expected more than 0s and at most 10m, got '1e12'"),
        (f"{{verifier_missing: {'9' * 400}d}}", 35, f"notify_timing.verifier_missing: expected a finite duration, got '{'9' * 36}..."),
    ]:
        settings.write_text(f"notify_timing: {timing}\n")
        with pytest.raises(SettingsError) as error:
            load_settings(settings)
        assert str(error.value).startswith(f"{settings}:1:{column}: {words}"), str(error.value)[:300]
    settings.write_text("notify:\n  - {url: {env: HOOK}, events: [guard_tripped]}\nnotify_timing: {verifier_missing: 2m, retries: 0, timeout: 10m}\n")
    loaded = load_settings(settings)
    assert loaded.notify[0].shown_url == "env:HOOK" and loaded.notify[0].events == ("guard_tripped",)
    assert loaded.notify_timing == NotifyTiming(verifier_missing=120.0, retries=0, timeout=600.0)


def test_a_slack_message_cannot_ping_the_channel_or_hide_a_link() -> None:
    notice = Notice("session_started", "rb", "<!channel> & <https://evil|click>", "CHG-1", "alice", "t", "s", "started '<!channel>' \x1b[2J")
    text = slack_body(notice)["text"]
    assert "<" not in text and ">" not in text and "\x1b" not in text
    assert "&lt;!channel&gt;" in text


@pytest.mark.parametrize(("address", "joined"), [("10.0.0.5:2222", "10.0.0.5:2222"), ("0.0.0.0:2222", None), ("[::]:2222", None)])
def test_a_shared_session_announces_the_join_command_and_host_key(address: str, joined: str | None) -> None:
    """A share on every interface (`--share :2222`) is named by this machine's host name: before, the verifier was told
    `runbook-tui join 0.0.0.0:2222`, which from their machine is their own."""
    command = f"runbook-tui join {joined or f'{socket.gethostname()}:2222'}"
    sent: list[Notice] = []
    started = {"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1", "runbook": "rb",
               "title": "Upgrade", "ticket": {"id": "CHG-3"}, "mode": "live", "solo": None, "plan": {"sections": []}}  # fmt: skip
    shared = {"seq": 1, "ts": "2026-12-01T23:00:01.000Z", "type": "share_started", "actor": "alice", "address": address, "fingerprint": "SHA256:abc"}

    async def due_now() -> None:
        """Every timer due by now has run (a marker due now runs in the same pass or after them)."""
        loop = asyncio.get_running_loop()
        reached = loop.create_future()
        loop.call_at(loop.time(), reached.set_result, None)
        await reached

    async def scenario() -> None:
        announcer = Announcer(sent.append, NotifyTiming(verifier_missing=0), shared=True)
        announcer(started, replay([started]))
        await due_now()
        assert not sent, "a shared session is announced once the share is up, and a missing verifier only after that"
        announcer(shared, replay([started, shared]))
        await due_now()
        announcer.stop()

    asyncio.run(scenario())
    notice, missing = sent  # before: verifier_missing first, with no join command (verifier_missing: 0s)
    assert missing.event == "verifier_missing" and missing.details["join_command"] == command and command in missing.summary
    assert notice.event == "session_started" and notice.ticket == "CHG-3" and notice.actor == "alice"
    assert notice.details["join_command"] == command and notice.details["fingerprint"] == "SHA256:abc"
    assert command in notice.summary and "SHA256:abc" in notice.summary
    assert notice.summary.startswith("alice started CHG-3 'Upgrade'; verifier, join with:"), notice.summary


def test_a_resumed_shared_run_is_announced_as_resumed() -> None:
    """`resume --share` opens the share again and tells the verifier where to join: before, in the words of a new change
    (`carol started CHG-3 …`), two hours into it."""
    sent: list[Notice] = []
    events = [
        {"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1", "runbook": "rb",
         "title": "Upgrade", "ticket": {"id": "CHG-3"}, "mode": "live", "solo": None, "plan": {"sections": []}},
        {"seq": 1, "ts": "2026-12-02T01:00:00.000Z", "type": "session_resumed", "actor": "carol", "pid": 4242},
        {"seq": 2, "ts": "2026-12-02T01:00:01.000Z", "type": "share_started", "actor": "carol", "address": "10.0.0.5:2222", "fingerprint": "SHA256:abc"},
    ]  # fmt: skip

    async def scenario() -> None:
        announcer = Announcer(sent.append, NotifyTiming(), shared=True)
        announcer(events[2], replay(events))
        announcer.stop()

    asyncio.run(scenario())
    [notice] = sent
    assert notice.event == "session_started" and notice.summary.startswith("carol resumed CHG-3 'Upgrade'; verifier, join with: runbook-tui join 10.0.0.5:2222")


@pytest.mark.parametrize("shared", [False, True])
def test_a_start_outside_the_change_window_says_so_in_its_notice(shared: bool) -> None:
    """`--override-window REASON` is journaled right after `session_started`: the solo start's notice went out before
    it and said nothing of it; the team hears that the change runs outside its window, and why, solo or shared."""
    sent: list[Notice] = []
    events: list[dict[str, object]] = [
        {"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1", "runbook": "rb",
         "title": "Upgrade", "ticket": {"id": "CHG-3", "window": {"start": "2026-12-02T01:00:00Z", "end": "2026-12-02T04:00:00Z"}},
         "mode": "live", "solo": None if shared else "night shift", "plan": {"sections": []}},
        {"seq": 1, "ts": "2026-12-01T23:00:00.001Z", "type": "window_override", "actor": "alice", "reason": "outage P1-77"},
    ]  # fmt: skip
    if shared:
        events.append(
            {"seq": 2, "ts": "2026-12-01T23:00:01.000Z", "type": "share_started", "actor": "alice", "address": "10.0.0.5:2222", "fingerprint": "SHA256:abc"}
        )

    async def scenario() -> None:
        announcer = Announcer(sent.append, NotifyTiming(verifier_missing=3600), shared=shared)
        for at in range(len(events)):  # as the controller emits them, in one go
            announcer(events[at], replay(events[: at + 1]))
        reached = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_soon(reached.set_result, None)
        await reached
        announcer.stop()

    asyncio.run(scenario())
    [notice] = [n for n in sent if n.event == "session_started"]
    assert "OUTSIDE its change window: outage P1-77" in notice.summary, notice.summary
    assert notice.details["window_override"] == "outage P1-77"


def test_asking_again_for_a_go_ahead_does_not_restart_the_wait_the_team_is_told_about() -> None:
    """A tired assignee presses enter again while the verifier is silent: the notice still comes `confirmation_waiting`
    after the first request, not after the last one (a nudge every few minutes would otherwise keep the team from ever
    hearing of it); once the verifier answered, a new request starts a new wait."""
    sent: list[Notice] = []
    plan = {"sections": [{"id": "s", "kind": "implement", "steps": [{"id": "one", "verify": "before"}]}]}
    events = [{"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1", "runbook": "rb",
               "title": "Upgrade", "ticket": {"id": "CHG-3"}, "mode": "live", "solo": None, "verifier": "bob", "plan": plan}]  # fmt: skip
    loop = ManualClockLoop()

    def feed(kind: str, at: float, **fields: object) -> None:
        loop.now = at
        events.append({"seq": len(events), "ts": f"2026-12-01T23:00:{at:06.3f}Z", "type": kind, "actor": "alice", **fields})
        announcer(events[-1], replay(events))

    async def until(at: float) -> None:
        """Move the clock to `at` and wait until the loop ran what was due by then: the pass that runs this
        marker (due at `at` too) runs every timer due by `at`."""
        loop.now = at
        reached = loop.create_future()
        loop.call_at(at, reached.set_result, None)
        await reached

    async def scenario() -> None:
        announcer(events[0], replay(events))
        feed("note", 1.0, step="one", text="go-ahead requested for 'one'", request="go_ahead")
        feed("note", 8.0, step="one", text="go-ahead requested for 'one'", request="go_ahead")
        await until(10.9)
        assert not sent, "nothing before 10 s since the first request"
        await until(11.0)
        assert [n.event for n in sent] == ["confirmation_waiting"], "10 s after the first request, not the second"
        assert sent[0].details["step"] == "one" and sent[0].details["phase"] == "before"
        feed("step_rejected", 12.0, actor="bob", step="one", phase="before", attempt=1, reason="not yet")
        feed("note", 13.0, step="one", text="go-ahead requested for 'one'", request="go_ahead")
        await until(22.9)
        assert len(sent) == 1, "the request after the verifier's answer waits its own 10 s"
        await until(23.0)
        assert len(sent) == 2 and sent[1].details["step"] == "one"
        announcer.stop()

    def waiting(notice: Notice) -> None:
        if notice.event == "confirmation_waiting":
            sent.append(notice)

    announcer = Announcer(waiting, NotifyTiming(verifier_missing=3600, confirmation_waiting=10, window_closing=60), shared=False)
    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()


SILENCE = """\
runbook: 1
id: sil
title: Silence values
alerts:
  alertmanager: http://127.0.0.1:9
  silence:
    - matchers: ['alertname="HighErrorRate"', 'service=~"{{ svc }}-.*"', 'env="{{ svc }}"']
params: {svc: {type: string, default: api}}
sections:
  - {id: s, steps: [{id: one, run: "true"}]}
"""


@pytest.mark.parametrize("svc", [".*", 'x", alertname=~".*', "a|b", "zürich-€"])
def test_a_parameter_in_a_silence_matcher_silences_only_what_it_names(write_runbook: Callable[..., Path], svc: str) -> None:
    """`service=~"{{ svc }}-.*"` with svc `.*` silenced every service's alerts; a value closing the string could add a
    matcher. The value is data: regex-escaped in a regex matcher, one exact string in an equality matcher. A value beyond
    ASCII (`zürich-€`) was read as its UTF-8 bytes (`zÃ¼rich-â\x82¬`): the silence silenced nothing and the on-call was paged."""
    path = write_runbook(SILENCE)
    loaded = load_runbook(path, {"svc": svc})
    assert loaded.runbook.alerts is not None
    [silence] = loaded.runbook.alerts.silences
    _, service, env = silence.matchers
    assert [m.label for m in silence.matchers] == ["alertname", "service", "env"] and env.value == svc
    assert service.matches({"service": f"{svc}-web"}) and not service.matches({"service": "api-web"}), service
    usual = load_runbook(path, {"svc": "api"}).runbook.alerts
    assert usual is not None and usual.silences[0].matchers[1].matches({"service": "api-web"}), "api still silences api-web"


def test_a_silence_that_names_no_alert_is_a_warning_at_its_place(write_runbook: Callable[..., Path]) -> None:
    """`alertname=~".+"` or only `!=` matchers: Alertmanager takes it, and every alert in it stays quiet for the change."""
    path = write_runbook("""\
runbook: 1
id: broad
title: Broad
alerts:
  alertmanager: http://am:9093
  silence:
    - matchers: ['alertname=~".+"']
    - matchers: ['alertname!="Watchdog"', 'severity=~".*"']
    - matchers: ['alertname=~"PostgresReplicationLag|PostgresDown"', 'cluster!="b"']
    - matchers: ['alertname=~"Postgres.*"']
    - matchers: ['service="api"']
sections:
  - {id: s, kind: precheck, steps: [{id: one, run: "true"}]}
""")
    warnings = [str(w) for w in load_runbook(path).warnings if "names no alert" in w.message]
    said = "it silences nearly every alert in the Alertmanager for the change"
    assert warnings == [
        f'{path}:7:7: warning: this silence names no alert (alertname=~".+"): {said}',
        f'{path}:8:7: warning: this silence names no alert (alertname!="Watchdog", severity=~".*"): {said}',
    ], warnings


LEFT_EMPTY = """\
runbook: 1
id: t
title: T
notify:
  - url:
  - {url: {env: }}
  - url: https://hooks.example.com/x
    headers: {Authorization: , X-Team: {env: TEAM, prefix: ~}, X-Key: {keyring: {service: hooks, username: }}}
alerts:
  alertmanager:
  silence: [{matchers: ['alertname="HighErrorRate"'], comment: }]
sections:
  - {id: s, kind: precheck, steps: [{id: one, run: "true"}]}
"""


def test_a_receiver_header_or_alertmanager_written_without_its_value_is_an_error(write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    """`url:`, `Authorization:`, `env:`, `alertmanager:` with the value left out (as `timeout:` is refused): before, the
    receiver, the header and the whole `alerts:` block were dropped without a word, `validate` said ok, and the change ran
    with no silence made (the on-call paged) and the receiver asked without its token. A silence's `comment:` may stay empty."""
    path = write_runbook(LEFT_EMPTY)
    with pytest.raises(RunbookInvalid) as invalid:
        load_runbook(path)
    assert [str(d).replace(str(path), "F") for d in invalid.value.errors] == [
        "F:5:9: 'url': expected a string, got nothing (null)",
        "F:6:17: 'env': expected a string, got nothing (null)",
        "F:8:30: 'Authorization': expected a string, got nothing (null)",
        "F:8:60: 'prefix': expected a string, got nothing (null)",
        "F:8:108: 'username': expected a string, got nothing (null)",
        "F:10:16: 'alertmanager': expected a string, got nothing (null)",
    ]
    settings = tmp_path / "settings.yaml"
    settings.write_text("notify:\n  - url: https://hooks.example.com/x\n    headers: {Authorization: }\n")
    with pytest.raises(SettingsError) as refused:
        load_settings(settings)
    assert str(refused.value) == f"{settings}:3:30: 'Authorization': expected a string, got nothing (null)"
    commented = load_runbook(
        write_runbook(
            'runbook: 1\nid: t\ntitle: T\nalerts: {alertmanager: "http://am:9093", silence: [{matchers: [\'a="b"\'], comment: }]}\nsections:\n  - {id: s, steps: [{id: one, run: "true"}]}\n',
            "c.yaml",
        )
    )
    assert commented.runbook.alerts is not None and commented.runbook.alerts.silences[0].comment == ""


ROLLOUT = """\
runbook: 1
id: waves-wait
title: Waves
ticket: {id: CHG-7, subject: Waves, assignee: alice, verifier: bob}
hosts:
  fleet:
    - {name: web1, address: 192.0.2.1}
    - {name: web2, address: 192.0.2.2}
    - {name: web3, address: 192.0.2.3}
sections:
  - id: change
    kind: implement
    steps:
      - {id: roll, title: Roll out, on: fleet, run: echo rolled, serial: 1, verify: per_wave}
"""


def test_a_rollout_waiting_between_waves_for_the_verifier_is_announced(write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    """`verify: per_wave`: after each wave the rollout waits for the verifier's word. Before, `confirmation_waiting` was
    sent for a step's confirmation and go-ahead only: a rollout halted between waves (the verifier asleep) paged nobody.
    Once the word is given, the next wave's wait is counted anew."""
    sent: list[Notice] = []
    alice, bob = Actor("alice", "assignee"), Actor("bob", "verifier")

    async def scenario() -> None:
        session = open_session(
            load(str(write_runbook(ROLLOUT)), {}), journal=str(tmp_path / "j.jsonl"), settings=Settings(), mode="dry-run", verifier_in_process=True
        )
        c = session.controller
        c.subscribe(Announcer(sent.append, NotifyTiming(confirmation_waiting=0.2), shared=False))
        c.join("bob", "verifier")  # joined and silent: the notice names him, without `no verifier is connected`
        try:
            assert c.run_current(alice).ok
            await until(lambda: len(sent) == 1, "a notice while wave 1 waits for bob's word", timeout=10)
            assert c.confirm(bob).ok
            await until(lambda: len(sent) == 2, "a notice while wave 2 waits", timeout=10)
            assert c.state.steps["roll"].wave_awaiting == 2
        finally:
            task = c._task
            if task is not None and not task.done():
                task.cancel()
            await c.wait_idle()
            await session.close()

    asyncio.run(scenario())
    first, second = sent
    assert first.event == second.event == "confirmation_waiting"
    assert first.summary == "'roll' of CHG-7 has waited 200ms for bob's word to go on after wave 1 of 3", first.summary
    assert first.details["waiting_for"] == "bob" and first.details["verifiers_connected"] == ["bob"], first.details
    assert first.details["phase"] == "wave" and first.details["wave"] == 1 and second.details["wave"] == 2


def test_accepted_criteria_waiting_for_the_verifiers_confirmation_are_announced() -> None:
    """In a shared run, unmet success criteria accepted by the assignee wait for the verifier to confirm before the run
    ends. Before, that wait sent no `confirmation_waiting`; once confirmed, nothing is sent."""
    started = {"seq": 0, "ts": "2026-12-01T23:00:00.000Z", "type": "session_started", "actor": "alice", "session": "s1", "runbook": "rb",
               "title": "Upgrade", "ticket": {"id": "CHG-3"}, "mode": "live", "solo": None, "plan": {"sections": []}}  # fmt: skip
    accepted = {"seq": 1, "ts": "2026-12-01T23:10:00.000Z", "type": "criteria_accepted", "actor": "alice", "reason": "known noise",
                "criteria": ["err below 3%"], "needs_verifier": True}  # fmt: skip
    confirmed = {"seq": 2, "ts": "2026-12-01T23:10:01.000Z", "type": "criteria_acceptance_confirmed", "actor": "bob"}

    async def scenario(confirm: bool) -> list[Notice]:
        heard: list[Notice] = []
        announcer = Announcer(heard.append, NotifyTiming(confirmation_waiting=0.2, verifier_missing=3600), shared=True)
        events = [started, accepted]
        for index in range(len(events)):
            announcer(events[index], replay(events[: index + 1]))
        if confirm:
            announcer(confirmed, replay([*events, confirmed]))
            loop = asyncio.get_running_loop()  # the wait's page comes due (and must send nothing): none left within the hour
            await until(lambda: all(handle.when() - loop.time() > 3000 for handle in announcer._timers.values()), "the wait's page to come due", timeout=10)
        else:
            await until(lambda: heard, "the notice of the wait for bob's confirmation", timeout=10)
        announcer.stop()
        return heard

    sent = asyncio.run(scenario(confirm=False))
    [notice] = sent
    assert notice.event == "confirmation_waiting" and notice.details["phase"] == "criteria"
    expected = "CHG-3 has waited 200ms for the verifier to confirm that alice accepted the unmet success criteria: no verifier is connected"
    assert notice.summary == expected, notice.summary
    assert asyncio.run(scenario(confirm=True)) == [], "confirmed in time: nobody is paged"


def test_a_chat_webhook_given_a_body_it_refuses_is_said_at_load_and_by_preflight(write_runbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Slack's incoming webhooks read `text` and answer HTTP 400 `no_text` to our JSON body (Teams' likewise; Discord's
    read `content` unless the URL ends in /slack): every notice of the change failed, and nobody knew before the night
    (only a `preflight --notify-test` would have shown it). Now `validate` warns at a URL written out, and preflight
    says it of one read from a secret, named by its source."""
    from runbook_tui.app.outreach import notify_findings

    path = write_runbook("""\
runbook: 1
id: slack
title: Slack
notify:
  - url: https://hooks.slack.com/services/T000/B000/XXXX
  - {url: "https://hooks.slack.com/services/T000/B000/YYYY", format: slack}
  - url: https://chat.example.com/hooks/team
  - url: {env: RBT_SLACK_URL}
  - url: https://acme.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi
  - url: https://hooks.slack.com/triggers/T000/123/abc
  - {url: "https://discord.com/api/webhooks/123/tok", format: slack}
  - {url: "https://discord.com/api/webhooks/123/tok/slack", format: slack}
sections:
  - {id: s, kind: precheck, steps: [{id: one, run: "true"}]}
""")
    loaded = load_runbook(path)
    said = "a Slack incoming webhook takes format: slack; with json (the default) Slack refuses every notice (HTTP 400 no_text)"
    teams = "a Microsoft Teams incoming webhook reads `text`: set format: slack; with json (the default) Teams refuses every notice"
    discord = "a Discord webhook reads its own body, not ours: add /slack to its URL and set format: slack (else Discord refuses every notice)"
    assert [str(w).replace(str(path), "F") for w in loaded.warnings] == [
        f"F:5:10: warning: 'url': {said}", f"F:9:10: warning: 'url': {teams}", f"F:11:11: warning: 'url': {discord}",
    ]  # fmt: skip
    monkeypatch.setenv("RBT_SLACK_URL", "https://hooks.slack.com/services/T000/B000/SECRET-PART")
    findings = asyncio.run(notify_findings(loaded.runbook, Settings(), {}, send_as=None))
    assert findings[:2] == [f"notify https://hooks.slack.com/services/T000/B000/XXXX: {said}", f"notify env:RBT_SLACK_URL: {said}"], findings
    assert len(findings) == 4 and "SECRET-PART" not in " ".join(findings), findings
