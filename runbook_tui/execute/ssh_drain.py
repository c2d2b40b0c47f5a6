"""The remote wait for a command's late output: `drained`, a shell function of the follow script the wrapper calls.

See `runbook_tui.execute.ssh_scripts` for the scripts that use it; this module only writes its text.
"""

from __future__ import annotations

from runbook_tui.execute.local import EOF_GRACE_SECONDS

#: Seconds the remote `tail`s, the re-attach waiter and `drained` sleep between checks (bounds the end-of-command latency of a streamed command).
POLL_SECONDS = 0.1

#: Seconds before a step's timeout the wait for its output ends (`DRAIN`): time for the result to reach the client.
DRAIN_MARGIN = 0.5

#: `alone` (in `DRAIN`) looks at no more pids than this (more: a busy host, where the locks cost less than the look)...
ALONE_PIDS = 128
#: ... and only after a command that ran at most this long (centiseconds): the pids cannot have come round in that time.
ALONE_CENTISECONDS = 100

#: Shell function `drained`, the wrapper's after the command: close the wrapper's own output, then wait (at most
#: `EOF_GRACE_SECONDS`, as the local executor waits for end-of-output) while another process (a child the command left
#: in the background: `(sleep 1; echo late) &`) still holds the run's `.out` or `.err` open. `h` is ` held` when one
#: still does at the end: the `rc` line says so (`rc N held`) and the trailer too. Before, the output ended at the
#: wrapper's exit: `tail --pid` stopped and `cat` read the files then, and what came later was lost, where the local
#: executor showed it.
#:
#: How it knows, where `flock` works (util-linux's, or BusyBox's: only `-s`, `-x` and `-n` are used, so the wait polls
#: every `POLL_SECONDS` rather than `-w`): a shared lock on each of the two open file descriptions the command wrote
#: through (the wrapper's fd 1 and 2, which every child inherited, `sudo`'s running as root too), taken through the
#: wrapper's own copies (fd 6, 7) before it closes them. A flock lock belongs to the open file description and goes when
#: its last holder closes it; so an exclusive lock through another one (fd 8, 9: the same files reopened through
#: /proc/self/fd, not by name, which the command may have removed or replaced) is had the moment no other process holds
#: the output, and at once when the command left none. A child that closed them (`server >/dev/null 2>&1 &`) holds
#: nothing; one that opened the file anew by its name (not an inherited copy) is not seen this way. Four small programs
#: per command, ~3.5 ms of CPU on a loaded 2-core machine whatever the host runs; before, every command scanned fd 1
#: and 2 of every process in /proc (`held`, below): 1-3 ms there with a few hundred processes, ~31 ms with 1,000 the
#: user may read (the fan-out bench's loopback host, where all aliases share one /proc): bench/README.md, `fanout.py`.
#:
#: `held` stays for hosts where that does not work: no `flock` (exit 127), a file system without flock locks or one
#: that emulates them with record locks needing the file open for reading (NFS: the shared lock fails), a lock another
#: process took on the files first, no /proc/self/fd: any of the first steps failing. It looks at fd 1 or 2 of every process in
#: /proc whose link names the file and whose flags in fdinfo say written to (a `tail` reading it does not count; only
#: those two fds, which a child inherits: all of every process's were ~30 ms a check on a small host); a child running
#: as another user (a `sudo` step's) is not seen there: its fds are not ours to read.
#:
#: Before either, with no program started (`alone`): when the command left no process behind, nothing can hold its
#: output, and the locks are not taken. The wrapper reads the last pid the kernel handed out (`mark`: /proc/loadavg's
#: fifth field) just before the command; every process the command and its children made since has a pid above it
#: (pids are handed out in rising order until they wrap). After the command, each pid from there to the last one handed
#: out (read again until no new one came while looking) is looked at: gone, or alive with none of its descriptors on
#: the output files (`-ef` through the wrapper's own copies, fd 6 and 7: the command may have removed the files), where
#: only a descriptor on a regular file is compared: the outputs are (looked at once first), so a pipe, a socket or a
#: terminal costs two looks (`-f`, `-e`), not five (other sessions' processes, met at every command on a busy host). Any
#: doubt sends the wait the lock's way: a process whose descriptors cannot be read (another user's, a `sudo` step's
#: child: its fd folder unreadable, or its descriptors, as for root without CAP_SYS_PTRACE), a descriptor that cannot be
#: looked at, the pids wrapped or more than `ALONE_PIDS` of them (a busy host), the command ran more than
#: `ALONE_CENTISECONDS` (a full turn of the pids could have come by), no /proc, a /proc that hides other users'
#: processes (`hidepid=2`: pid 1 not seen). A process with no descriptors (a zombie) holds nothing; one whose descriptor
#: went while it was looked at is looked at once more (`unheld`). One found holding the output is waited for as before.
#: Not seen this way, where the locks would see it: the output's descriptor handed over a unix socket (SCM_RIGHTS) to a
#: process older than the command. A quick `true` on this bench's host: no program instead of four `flock`s.
#:
#: Defined in the follow script (the wrapper's subshell inherits it): the wrapper stays short (`READ_MAX`). Its
#: argument, when the step has a timeout: the centiseconds from the wrapper's start (`t0`; `now`: /proc/uptime) it
#: must end by: a command done in time is not stopped as timed out (and its background child killed) while its output is
#: awaited, as locally, where the timeout ends at the command's exit. Both ends are times read, not rounds counted: a
#: `sleep` that starts slowly on a loaded host makes the wait no longer.
DRAIN = f"""\
held() {{
  for f in /proc/[0-9]*/fd/1 /proc/[0-9]*/fd/2; do
    {{ [ "$f" -ef "$D.out" ] || [ "$f" -ef "$D.err" ]; }} || continue
    v=
    while read -r k v; do [ "$k" = flags: ] && break; done < "${{f%/fd/*}}/fdinfo/${{f##*/}}"
    case $v in *[123567]) return 0 ;; esac
  done
  return 1
}}
now() {{ t=; read -r t _ < /proc/uptime; t=${{t%.*}}${{t#*.}}; case $t in *[!0-9]*) t= ;; esac; [ -n "$t" ]; }}
lastpid() {{ l=; read -r _ _ _ _ l _ < /proc/loadavg; case $l in ''|*[!0-9]*) l= ;; esac; [ -n "$l" ]; }}
mark() {{ l0=; lastpid && l0=$l; return 0; }}
unheld() {{
  [ -r /proc/$1/fd ] || {{ [ ! -e /proc/$1 ]; return; }}
  for f in /proc/$1/fd/*; do
    if [ -f "$f" ]; then {{ [ "$f" -ef /proc/self/fd/6 ] || [ "$f" -ef /proc/self/fd/7 ]; }} && return 1; fi
    [ -e "$f" ] || [ "$f" = "/proc/$1/fd/*" ] || return 2
  done
}}
alone() {{
  [ -n "$l0" ] && [ -n "$t0" ] && [ -e /proc/1 ] && [ -f /proc/self/fd/6 ] && [ -f /proc/self/fd/7 ] && now && [ $((t - t0)) -le {ALONE_CENTISECONDS} ] || return 1
  a=$l0
  while lastpid && [ "$l" -ge "$a" ] && [ $((l - l0)) -le {ALONE_PIDS} ]; do
    [ "$l" -eq "$a" ] && return 0
    while [ "$a" -lt "$l" ]; do
      a=$((a + 1))
      unheld $a && continue
      [ $? = 2 ] && unheld $a && continue
      return 1
    done
  done
  return 1
}}
freed() {{
  until flock -n -x "$1"; do
    now && [ "$t" -lt "$e" ] || return 1
    sleep {POLL_SECONDS}
  done
}}
drained() {{
  exec 6>&1 7>&2 >/dev/null 2>&1
  h= e=0
  if alone; then
    exec 6>&- 7>&-
    return 0
  fi
  if now; then
    e=$((t + {round(EOF_GRACE_SECONDS * 100)}))
    [ -z "$1" ] || [ -z "$t0" ] || [ $((t0 + $1)) -ge "$e" ] || e=$((t0 + $1))
  fi
  if flock -s -n 6 && flock -s -n 7 && command exec 8</proc/self/fd/6 9</proc/self/fd/7; then
    exec 6>&- 7>&-
    freed 8 && freed 9 || h=" held"
    exec 8<&- 9<&-
    return 0
  fi
  exec 6>&- 7>&- 8<&- 9<&-
  while held; do
    now && [ "$t" -lt "$e" ] || {{ h=" held"; return 0; }}
    sleep {POLL_SECONDS}
  done
}}
"""
