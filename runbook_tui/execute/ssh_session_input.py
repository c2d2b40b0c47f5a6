"""What a follow session is sent: the follow script (the session's command) and its stdin (the token, the wrapper).

See `runbook_tui.execute.ssh_scripts` for the scripts themselves.
"""

from __future__ import annotations

from runbook_tui.engine.ports import Command
from runbook_tui.execute.ssh_scripts import READ_MAX, follow_script, wrapper_script


def inline_wrapper(command: Command, wrapper: str) -> bool:
    """Whether `wrapper` may travel in the follow script's own text (`follow_script(wrapper=...)`) rather than on stdin.

    Only when it holds nothing the command's own `sh -c CMD` does not show in `ps` already: no environment value (every
    templated value is one: `runbook.shell_values`) and no `cwd` (a path). Then the host's shell parses it with the
    script, not a byte per `read` system call (~230 of them for `true`: ~0.1 ms of a fan-out's host CPU a command).
    Small ones only (`READ_MAX`): the script is one argument, which the kernel bounds (128 KiB), and quoted twice. None
    holding a backslash (nor a NUL): sshd hands the session's command to the user's login shell, and fish (tried by
    hand: it runs the script, whose own text holds neither) reads `\\\\` and `\\'` inside '...' as escapes.
    """
    return not command.env and not command.cwd and len(wrapper.encode()) <= READ_MAX and not any(char in wrapper for char in "\\\0")


def session_input(command: Command | None, left: float | None, dir_expr: str, offsets: tuple[int, int], token: str) -> tuple[str, bytes]:
    """(the follow script, its stdin) for one follow session: `command` to start it (None: follow a run started already,
    from `offsets`, stdout's and stderr's); `left`: seconds before its timeout (`wrapper_script`); `token`: the session's.

    Stdin holds the token line, then, unless it is in the script (`inline_wrapper`), the wrapper: followed by the token
    line again when it is read line by line (`READ_MAX`), alone when it is read by its size."""
    wrapper = "" if command is None else wrapper_script(command, left)
    inline = command is not None and inline_wrapper(command, wrapper)
    size = len(wrapper.encode())
    out, err = offsets
    script = follow_script(dir_expr, start=command is not None, out_offset=out, err_offset=err, wrapper_size=size, wrapper=wrapper if inline else None)
    stdin = token + "\n"
    if command is not None and not inline:
        stdin += wrapper if size > READ_MAX else wrapper + token + "\n"
    return script, stdin.encode()
