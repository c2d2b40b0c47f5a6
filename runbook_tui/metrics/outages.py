"""Which panels' readings start failing, and which are back: said once per outage, not once per poll.

Per panel, not per message: a peer whose error text changes every poll (a request id, a counter) would otherwise
start a new outage each poll. A panel is back once its readings have held for `BACK_POLLS` polls in a row: a source
failing every other poll (a load balancer over two Prometheus replicas, one down) journaled an `error` and a "readings
are back" note at each turn, 1,440 lines an hour at the default interval, on every screen and in the report.
"""

from __future__ import annotations

from runbook_tui.runbook.lean_dataclass import dataclass, field

#: Good readings in a row after which a failing panel is said to be back.
BACK_POLLS = 3


@dataclass
class Outages:
    announced: dict[str, str] = field(default_factory=dict)  # failing panel -> the error said when it started failing
    held: dict[str, int] = field(default_factory=dict)  # announced panel -> good readings in a row since its last failure

    def poll(self, failing_now: dict[str, str], polled: set[str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """After a poll (`failing_now`: panel -> its error; `polled`: the panels read): the outages that start and those
        that end, each as message -> panels."""
        started: dict[str, set[str]] = {}
        for panel, message in failing_now.items():
            self.held.pop(panel, None)
            if panel not in self.announced:
                self.announced[panel] = message
                started.setdefault(message, set()).add(panel)
        back: dict[str, set[str]] = {}
        for panel in [p for p in self.announced if p in polled and p not in failing_now]:
            self.held[panel] = self.held.get(panel, 0) + 1
            if self.held[panel] >= BACK_POLLS:
                del self.held[panel]
                back.setdefault(self.announced.pop(panel), set()).add(panel)
        return started, back
