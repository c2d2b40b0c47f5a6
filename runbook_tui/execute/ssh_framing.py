"""Reading a follow session's streams: login noise, a header line, the command's bytes, a trailer line.

Marker lines start with NUL and the session's random token (see
`runbook_tui.execute.ssh_scripts.follow_script`); what reaches the sink
counts toward the offsets a re-attach resumes from.
"""

from __future__ import annotations

from runbook_tui.engine.ports import OutputSink, Stream
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass, field

#: Bytes asked for per read; what the sink gets at most per call.
CHUNK_SIZE = 65536


@dataclass
class RemoteRun:
    """What we know of one detached run: enough to re-attach after a reconnect."""

    name: str
    dir_expr: str
    where: str  # for messages: the absolute directory once known
    pid: int | None = None
    offsets: dict[Stream, int] = field(default_factory=lambda: {"stdout": 0, "stderr": 0})
    files_removed: bool = False  # the command removed the run's files while it ran (the trailer's `gone`)
    disk_full: bool = False  # the filesystem of the run's files had no space left when it ended (the trailer's `full`)
    deadline: float | None = None  # the event loop's time of the step's timeout (None: none)
    held: bool = False  # a process the command left still held its output open when the wait for it ran out (`held`)
    sent: bool = False  # a session that starts the command was asked for: before that, nothing ran on the host
    starts: int = 0  # follow sessions asked to start it (a second: the first's reply was lost with its connection)
    found: bool = False  # the first asked to start it found its files there: an earlier process started it (resume's re-run)

    @property
    def progress(self) -> tuple[int | None, int, int]:
        return self.pid, self.offsets["stdout"], self.offsets["stderr"]


class Framed:
    """One stream of a follow session: login noise, a header line, the command's bytes, a trailer line.

    Marker lines start with NUL and the session's random token, so the
    command cannot produce one by accident. Bytes that might be the start of
    a marker (a chunk ending in NUL, ...) are held back until the next chunk
    tells; everything else goes to the sink as it comes, and only what went
    there counts toward the offset a re-attach resumes from.
    """

    def __init__(self, token: bytes, stream: Stream, run: RemoteRun, output: OutputSink) -> None:
        self.mark = b"\0" + token + b" "
        self.stream = stream
        self.run = run
        self.output = output
        self.buf = b""
        self.head: str | None = None  # the header line after the mark, once seen
        self.tail: str | None = None  # the trailer line after the mark, once seen
        self.noise = b""  # the last bytes before the header, for error messages

    def feed(self, data: bytes) -> None:
        self.buf += data
        if self.head is None:
            at = self.buf.find(self.mark)
            end = self.buf.find(b"\n", at) if at >= 0 else -1
            if end < 0:  # no complete header yet: keep only what could be (the start of) one
                cut = at if at >= 0 else max(0, len(self.buf) - len(self.mark) + 1)
                self.noise = (self.noise + self.buf[:cut])[-1024:]
                self.buf = self.buf[cut:]
                return
            self.noise = (self.noise + self.buf[:at])[-1024:]
            self.head = self.buf[at + len(self.mark) : end].decode(errors="replace")
            self.buf = self.buf[end + 1 :]
        if self.tail is not None:
            return
        at = self.buf.find(self.mark)
        if at < 0:
            held = self._partial()
            self._deliver(self.buf[: len(self.buf) - held])
            self.buf = self.buf[len(self.buf) - held :]
            return
        self._deliver(self.buf[:at])
        self.buf = self.buf[at:]
        end = self.buf.find(b"\n")
        if end >= 0:
            self.tail = self.buf[len(self.mark) : end].decode(errors="replace")
            self.buf = b""

    def _partial(self) -> int:
        """How many bytes at the end of the buffer could begin a marker."""
        buf, mark = self.buf, self.mark
        at = buf.find(b"\0", max(0, len(buf) - len(mark) + 1))
        while at >= 0:
            if mark.startswith(buf[at:]):
                return len(buf) - at
            at = buf.find(b"\0", at + 1)
        return 0

    def _deliver(self, data: bytes) -> None:
        for at in range(0, len(data), CHUNK_SIZE):
            piece = data[at : at + CHUNK_SIZE]
            self.run.offsets[self.stream] += len(piece)
            self.output(self.stream, piece)


_STATUS = lazy_re.compile(r"[0-9]{1,3}\Z")


class BadStatus(Exception):
    """The stdout trailer holds no exit status a shell can give; the message says what it holds instead."""


def trailer_status(tail: str) -> tuple[int, frozenset[str]]:
    """The exit status of a stdout trailer `end RC [noerr] [gone] [held] ...` and its flag words.

    RC is what the follow script sent: `-` when no status was recorded, else
    the `rc` line of the run's file or `wait`'s status. Only 0 to 255 in
    ASCII digits is an exit status; anything else (`300`, `-1`, `²`,
    text) was written there by something other than the wrapper.
    """
    words = tail.split(" ")
    code = words[1] if len(words) > 1 else ""
    flags = frozenset(words[2:])
    if code in ("", "-"):
        raise BadStatus("")
    if not _STATUS.match(code) or int(code) > 255:
        shown = code if len(code) <= 40 else code[:40] + "..."
        raise BadStatus(shown)
    return int(code), flags
