"""SshExecutor against a real OpenSSH sshd on loopback: streams, env/cwd, host keys, reuse, volume (failures mid-run: test_ssh_reattach.py)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path

import asyncssh
import pytest
from peers import Sshd, make_sshd, public_line
from ssh_helpers import Collect, arun, cmd, executor, run_one, runs_left

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh_framing import CHUNK_SIZE
from runbook_tui.execute.ssh_scripts import run_dir_name
from runbook_tui.runbook.templating import render_command

pytestmark = pytest.mark.peers


def test_streams_and_exit_code(sshd: Sshd, tmp_path: Path) -> None:
    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        try:
            return await run_one(ex, cmd(sshd.host("db1"), "echo hi; echo err >&2; exit 3"))
        finally:
            await ex.close()

    result, sink, _ = arun(main)
    assert result == Result("ok", exit_code=3)
    assert sink.data("stdout") == b"hi\n"
    assert sink.data("stderr") == b"err\n"
    assert all(isinstance(data, bytes) for _, data in sink.chunks)


def test_env_cwd_and_quoting_arrive_literally(sshd: Sshd, tmp_path: Path) -> None:
    workdir = tmp_path / "dir with 'quote' and $x"
    workdir.mkdir()
    env = (("A", 'it\'s $HOME `id` "q" \\n;|&'), ("B", "two words\nsecond line"), ("C", ""))

    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        try:
            text = 'printf "%s|" "$A" "$B" "$C" "$(pwd)"; printf "%s" \'$literal\''
            return await run_one(ex, cmd(sshd.host("db1"), text, env=env, cwd=str(workdir)))
        finally:
            await ex.close()

    result, sink, _ = arun(main)
    assert result == Result("ok", exit_code=0), result
    expected = "|".join([env[0][1], env[1][1], "", str(workdir)]) + "|$literal"
    assert sink.data("stdout").decode() == expected
    assert sink.data("stderr") == b""


@pytest.mark.parametrize("size", [200, 5000])
def test_env_values_small_and_large_arrive_exactly(sshd: Sshd, tmp_path: Path, size: int) -> None:
    """Small wrappers are read by the `read` builtin, large ones by `head -c`: both byte for byte, lines like `done` included."""
    value = ('done\n  it\'s \\ $x "q"\n' * size)[:size] + "\ndone"

    async def main() -> tuple[Result, Collect]:
        ex = executor(sshd, tmp_path)
        try:
            result, sink, _ = await run_one(ex, cmd(sshd.host("db1"), 'printf %s "$BIG"', env=(("BIG", value),)))
            return result, sink
        finally:
            await ex.close()

    result, sink = arun(main)
    assert result == Result("ok", exit_code=0)
    assert sink.data("stdout").decode() == value
    assert runs_left(tmp_path) == []


def test_env_values_stay_out_of_argv(sshd: Sshd, tmp_path: Path) -> None:
    """While a command runs over SSH, no process on the host (sshd's, the shells', the command's) has the value in its argv."""
    secret = f"s3cret-{uuid.uuid4().hex}"
    release = tmp_path / "release"
    text = f'echo ready; while [ ! -e {release} ]; do sleep 0.05; done; printf %s "$TOKEN"'

    def argv_with_secret() -> list[str]:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                argv = cmdline.read_bytes()
            except OSError:  # the process ended meanwhile
                continue
            if secret.encode() in argv:
                words = argv.replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{cmdline.parent.name}: {words}")
        return found

    async def main() -> tuple[Result, Collect, list[str], int]:
        ex = executor(sshd, tmp_path)
        sink = Collect()
        try:
            running = asyncio.ensure_future(ex.run(cmd(sshd.host("db1"), text, env=(("TOKEN", secret),)), sink))
            deadline = time.monotonic() + 30
            while b"ready" not in sink.data("stdout"):
                assert not running.done(), running.result()
                assert time.monotonic() < deadline, "the command did not start within 30 s"
                await asyncio.sleep(0.05)
            leaks = await asyncio.to_thread(argv_with_secret)
            processes = len(list(Path("/proc").glob("[0-9]*")))
            release.touch()
            result = await asyncio.wait_for(running, 30)
            return result, sink, leaks, processes
        finally:
            await ex.close()

    result, sink, leaks, processes = arun(main)
    assert leaks == [], leaks
    assert processes > 1
    assert result == Result("ok", exit_code=0), result
    assert sink.data("stdout").decode() == f"ready\n{secret}"  # it did reach the command, through the environment


def test_templated_values_stay_out_of_remote_argv_and_files(sshd: Sshd, tmp_path: Path) -> None:
    """A value (maybe a secret) travels as an environment variable: not in the remote `ps`, and
    the wrapper that exported it is in no file of the runs folder while the command runs (no run.sh)."""
    secret = f"s3cret-{uuid.uuid4().hex}"
    runs = tmp_path / "runs"
    rendered = render_command(f"printf '%s' {{{{ x }}}} > /dev/null; ls -A {runs}; cat {runs}/*.run; ps -eo args", {"x": secret})

    async def main() -> tuple[Result, Collect, list[str]]:
        ex = executor(sshd, tmp_path)
        try:
            return await run_one(ex, cmd(sshd.host("db1"), rendered.text, env=rendered.env))
        finally:
            await ex.close()

    result, sink, _ = arun(main)
    assert result == Result("ok", exit_code=0), result
    out = sink.data("stdout").decode()
    assert "RBT_V1" in out  # ps shows the command: the reference, not the value
    assert secret not in out
    listing = out.split("COMMAND", 1)[0].split() if "COMMAND" in out else out.split()
    assert "run.sh" not in listing and any(name.endswith(".out") for name in listing), listing


def test_unknown_and_changed_host_keys_are_refused(sshd: Sshd, tmp_path: Path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519")
    changed = tmp_path / "known_hosts_changed"
    changed.write_text(f"# the host as it was\n[127.0.0.1]:{sshd.port} {public_line(other)}\n")
    empty = tmp_path / "known_hosts_empty"
    empty.write_text("")
    missing = tmp_path / "no_such_known_hosts"

    async def main() -> list[Result]:
        results = []
        for path in (changed, empty, missing):
            ex = executor(sshd, tmp_path, known_hosts=str(path))
            try:
                result, sink, _ = await run_one(ex, cmd(sshd.host("db1"), "echo should-not-run"))
                assert sink.chunks == []
                results.append(result)
            finally:
                await ex.close()
        return results

    results = arun(main)
    for result, _path in zip(results, (changed, empty, missing), strict=True):
        assert result.status == "error"
        assert result.error is not None
        assert result.error.startswith(f"host key for db1 (127.0.0.1:{sshd.port}) not verified: ")
        assert "Traceback" not in result.error
    for result, path in zip(results[1:], (empty, missing), strict=True):  # unknown: nothing says it changed
        assert result.error is not None and result.error.endswith(f"expected it in {path}")
        assert "CHANGED" not in result.error
    # changed, as OpenSSH says it: that it changed, where the old key is, the new key's fingerprint
    error = results[0].error or ""
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in error and "man-in-the-middle" in error, error
    assert f"the old key is in {changed}:2" in error
    assert f"fingerprint {sshd.host_key.get_fingerprint()}" in error
    assert other.get_fingerprint() not in error


def test_the_remote_runs_folder_is_created_private(sshd: Sshd, tmp_path: Path) -> None:
    """The runs folder is 700 and a run's output files 600, while the command itself runs with the login's umask."""
    runs = tmp_path / "runs"

    async def main() -> tuple[Result, str, str]:
        ex = executor(sshd, tmp_path)
        try:
            result, sink, _ = await run_one(ex, cmd(sshd.host("db1"), f"stat -c %a {runs}/*.out {runs}/*.err; umask"))
            plain = await next(iter(ex.connections.values())).run("umask", check=False)
            return result, sink.data("stdout").decode(), str(plain.stdout)
        finally:
            await ex.close()

    assert not runs.exists()
    result, out, login_umask = arun(main)
    assert result.status == "ok", result
    assert runs.stat().st_mode & 0o777 == 0o700, "no other user may list the runs"
    assert out.split() == ["600", "600", login_umask.strip()], out


def test_unreachable_host_is_a_clear_error(sshd: Sshd, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]

    async def main() -> Result:
        ex = executor(sshd, tmp_path, connect_timeout=2)
        try:
            return (await run_one(ex, cmd(sshd.host("db9", port=closed_port), "true")))[0]
        finally:
            await ex.close()

    result = arun(main)
    assert result.status == "error"
    assert result.error is not None and result.error.startswith(f"cannot connect to db9 (127.0.0.1:{closed_port})")


def test_a_connection_that_stalls_says_where_a_port_that_never_speaks_ssh_and_an_agent_that_never_signs(
    sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each fails at the connect timeout, saying where it stalled. Before: `cannot connect to db9 (…): TimeoutError`."""
    public = asyncssh.read_private_key(str(sshd.client_key)).public_data

    async def agent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Lists the sshd's client key, then never answers the request to sign with it."""
        while (await reader.readexactly(struct.unpack(">I", await reader.readexactly(4))[0]))[0] == 11:  # REQUEST_IDENTITIES
            answer = b"\x0c" + struct.pack(">I", 1) + struct.pack(">I", len(public)) + public + struct.pack(">I", 0)
            writer.write(struct.pack(">I", len(answer)) + answer)
        await asyncio.Event().wait()

    async def main() -> list[tuple[Result, float]]:
        held: list[asyncio.StreamWriter] = []
        silent = await asyncio.start_server(lambda _r, w: held.append(w), "127.0.0.1", 0)  # takes the connection, says nothing
        await asyncio.start_unix_server(agent, str(tmp_path / "agent.sock"))
        monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
        ex = executor(sshd, tmp_path, connect_timeout=1)
        found = []
        try:
            for host in (sshd.host("db9", port=silent.sockets[0].getsockname()[1]), sshd.host("db1", identity=None)):
                started = time.monotonic()
                found.append(((await run_one(ex, cmd(host, "true")))[0], time.monotonic() - started))
            return found
        finally:
            await ex.close()
            silent.close()

    (port, took_port), (signer, took_signer) = arun(main)
    assert took_port < 5 and took_signer < 5, (took_port, took_signer)
    assert port.status == "error" and "): the port took the connection but sent no SSH greeting within 1 s (something there that is not" in (
        port.error or ""
    ), port
    assert signer.status == "error" and "the login did not finish within 1 s (the server stopped answering, or the SSH agent (SSH_AUTH_SOCK)" in (
        signer.error or ""
    ), signer


def test_an_sshd_turning_the_connection_away_before_its_greeting_says_so(tmp_path: Path) -> None:
    """sshd past its MaxStartups closes a new connection before its greeting (as a fail2ban or tcp-wrappers rule does).

    Before: `cannot connect to db1 (...): Connection lost` (or `Connection reset by peer`), nothing about where or why.
    """
    (tmp_path / "sshd").mkdir()
    server = make_sshd(tmp_path / "sshd", options={"MaxStartups": "1:100:1"})  # one connection not logged in yet: the rest refused
    try:
        deadline = time.monotonic() + 10
        while True:  # the startup probe's sshd child may still hold the slot for a moment
            waiting = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            if waiting.recv(4) == b"SSH-":
                break  # this one holds the one startup slot
            waiting.close()
            assert time.monotonic() < deadline, "sshd never greeted a connection"
            time.sleep(0.05)
        with waiting:

            async def main() -> Result:
                ex = executor(server, tmp_path)
                try:
                    return (await run_one(ex, cmd(server.host("db1"), "true")))[0]
                finally:
                    await ex.close()

            result = arun(main)
    finally:
        server.stop()
    assert result.status == "error" and (result.error or "").startswith(f"cannot connect to db1 (127.0.0.1:{server.port}): "), result
    assert "the port took the connection and closed it before any SSH greeting" in (result.error or ""), result
    assert "(sshd turning it away: its MaxStartups" in (result.error or ""), result  # after `, saying "Exceeded MaxStartups"` (OpenSSH 9)


def test_a_server_that_breaks_the_handshake_is_a_plain_error_without_a_traceback(sshd: Sshd, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A greeting, then a key exchange packet cut short: asyncssh raises its PacketDecodeError (a ValueError) from a task.

    Before: `h1: Incomplete packet` and a traceback logged at ERROR, which `exec` printed on stderr.
    """

    async def main() -> tuple[Result, int]:
        async def hostile(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"SSH-2.0-hostile\r\n" + struct.pack(">IBB", 12, 10, 20) + b"\xff" * 20)  # KEXINIT without its cookie
            await writer.drain()

        server = await asyncio.start_server(hostile, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        ex = executor(sshd, tmp_path, connect_timeout=5)
        try:
            return (await run_one(ex, cmd(sshd.host("db9", port=port), "true")))[0], port
        finally:
            await ex.close()
            server.close()

    result, port = arun(main)
    assert result == Result(
        "error",
        error=f"cannot connect to db9 (127.0.0.1:{port}): the SSH handshake failed (Incomplete packet): a broken or hostile server",
        started=False,  # no connection: the command never began there (a rollback has nothing to undo there)
    )
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]


def test_an_address_that_is_no_host_name_is_said_without_a_traceback(sshd: Sshd, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """`a..b` passes the loader (it is a name) but idna cannot encode it. Before: `db1: encoding with 'idna' codec failed
    ...` and a traceback logged at ERROR, printed on exec's stderr."""

    async def main() -> Result:
        ex = executor(sshd, tmp_path)
        try:
            return (await run_one(ex, cmd(sshd.host("db1", address="a..b"), "true")))[0]
        finally:
            await ex.close()

    result = arun(main)
    assert result.status == "error" and (result.error or "").startswith(
        f"cannot connect to db1 (a..b:{sshd.port}): the address is no valid host name: encoding with 'idna' codec failed"
    ), result
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]


def test_twenty_aliases_concurrently_reuse_connections(sshd: Sshd, tmp_path: Path) -> None:
    hosts = sshd.hosts(20)

    async def main() -> None:
        ex = executor(sshd, tmp_path)
        try:
            first = await asyncio.gather(*(run_one(ex, cmd(h, f"echo {h.name}")) for h in hosts))
            conns = ex.connections
            second = await asyncio.gather(*(run_one(ex, cmd(h, f"echo {h.name} again")) for h in hosts))
            for host, (result, sink, _), (result2, sink2, _) in zip(hosts, first, second, strict=True):
                assert result == Result("ok", exit_code=0)
                assert result2 == Result("ok", exit_code=0)
                assert sink.data("stdout") == f"{host.name}\n".encode()
                assert sink2.data("stdout") == f"{host.name} again\n".encode()
            # One connection per host, opened once and reused by the second round.
            keys = {(h.name, h.address, h.port, h.user) for h in hosts}
            assert len(keys) == 20
            assert set(ex.connections) == keys
            assert all(ex.connections[key] is conns[key] for key in keys)
        finally:
            await ex.close()
        assert ex.connections == {}

    arun(main)


def test_a_released_host_is_disconnected_once_its_files_are_gone_and_connects_again_when_needed(sshd: Sshd, tmp_path: Path) -> None:
    """`release`: the host's connection closes after its acknowledged run removed its files; the other host keeps its own.

    (The kept host's run removes its files in the background too, and nothing here waits for it: only the released
    run's files are checked when its connection has closed; `close()` waits for the rest.)"""
    kept, released = sshd.host("kept"), sshd.host("released")
    on_released = cmd(released, "echo one")

    async def main() -> tuple[list[Result], Result, list[Path]]:
        ex = executor(sshd, tmp_path)
        try:
            first = await asyncio.gather(run_one(ex, cmd(kept, "echo one")), run_one(ex, on_released))
            held = ex.connections
            gone = next(conn for key, conn in held.items() if key[0] == "released")
            await ex.release([released])
            assert [key[0] for key in ex.connections] == ["kept"], "a command started now would get a new connection"
            await asyncio.wait_for(gone.wait_closed(), 10)
            left = sorted(path for path in (tmp_path / "runs").iterdir() if path.name.startswith(run_dir_name(on_released.key) + "."))
            again, sink, _ = await run_one(ex, cmd(released, "echo two"))
            assert sink.data("stdout") == b"two\n"
            assert sorted(key[0] for key in ex.connections) == ["kept", "released"]
            assert next(conn for key, conn in ex.connections.items() if key[0] == "kept") is held[next(k for k in held if k[0] == "kept")]
            return [result for result, _, _ in first], again, left
        finally:
            await ex.close()

    first, again, left = arun(main)
    assert first == [Result("ok", exit_code=0)] * 2
    assert again == Result("ok", exit_code=0)
    assert left == [], "the released host's connection closed only after its run's files were removed"
    assert runs_left(tmp_path) == [], "close() let the kept host's run remove its files too"


def test_run_directory_is_removed_once_the_result_is_in(sshd: Sshd, tmp_path: Path) -> None:
    """out/err hold the whole output: gone as soon as the client has all of it, for a quick and a streamed run."""

    async def main() -> list[Result]:
        ex = executor(sshd, tmp_path)
        try:
            quick = await run_one(ex, cmd(sshd.host("db1"), "echo quick", env=(("TOKEN", "s3cret"),)))
            slow = await run_one(ex, cmd(sshd.host("db1"), "sleep 0.5; echo slow"))  # streamed live (tail)
            return [quick[0], slow[0]]
        finally:
            await ex.close()

    assert arun(main) == [Result("ok", exit_code=0)] * 2
    assert runs_left(tmp_path) == []


def test_exit_codes_and_bytes_arrive_exactly(sshd: Sshd, tmp_path: Path) -> None:
    """NUL bytes, bytes that look like the start of a marker, no final newline, exit 255: all passed through as they are."""
    text = "printf 'a\\000b\\000'; printf '\\000\\000x' >&2; exit 255"

    async def main() -> tuple[Result, Collect, Result, Collect]:
        ex = executor(sshd, tmp_path)
        try:
            quick = await run_one(ex, cmd(sshd.host("db1"), text))
            slow = await run_one(ex, cmd(sshd.host("db1"), "sleep 0.4; " + text))
            return quick[0], quick[1], slow[0], slow[1]
        finally:
            await ex.close()

    quick, quick_sink, slow, slow_sink = arun(main)
    for result, sink in ((quick, quick_sink), (slow, slow_sink)):
        assert result == Result("ok", exit_code=255)
        assert sink.data("stdout") == b"a\0b\0"
        assert sink.data("stderr") == b"\0\0x"


def test_login_noise_and_stdin_readers_do_not_leak_into_the_result(tmp_path: Path) -> None:
    """A chatty login (here a ForceCommand printing on both streams) is dropped; a command reading stdin gets EOF, not the session's."""
    (tmp_path / "sshd").mkdir()
    noisy = make_sshd(
        tmp_path / "sshd",
        {"ForceCommand": 'echo login noise; echo login noise on stderr >&2; eval "$SSH_ORIGINAL_COMMAND"'},
    )
    try:

        async def main() -> tuple[Result, Collect, Result, Collect]:
            ex = executor(noisy, tmp_path)
            try:
                quick = await run_one(ex, cmd(noisy.host("db1"), "cat; echo out; echo err >&2"))
                slow = await run_one(ex, cmd(noisy.host("db1"), "sleep 0.4; cat; echo out; echo err >&2"))
                return quick[0], quick[1], slow[0], slow[1]
            finally:
                await ex.close()

        quick, quick_sink, slow, slow_sink = arun(main)
    finally:
        noisy.stop()
    for result, sink in ((quick, quick_sink), (slow, slow_sink)):
        assert result == Result("ok", exit_code=0)
        assert sink.data("stdout") == b"out\n"
        assert sink.data("stderr") == b"err\n"
    assert runs_left(tmp_path) == []


def test_large_output_streams_in_chunks(sshd: Sshd, tmp_path: Path) -> None:
    lines = 200_000

    async def main() -> tuple[Result, int, int, int]:
        ex = executor(sshd, tmp_path)
        count = size = biggest = 0

        def sink(stream: str, data: bytes) -> None:  # count, do not keep: memory stays bounded
            nonlocal count, size, biggest
            assert stream == "stdout"
            count += data.count(b"\n")
            size += len(data)
            biggest = max(biggest, len(data))

        try:
            result = await ex.run(cmd(sshd.host("db1"), f"seq 1 {lines}"), sink)
            return result, count, size, biggest
        finally:
            await ex.close()

    result, count, size, biggest = arun(main)
    assert result == Result("ok", exit_code=0)
    assert count == lines
    assert size == sum(len(f"{i}\n") for i in range(1, lines + 1))
    assert biggest <= CHUNK_SIZE


def encrypted_copy(sshd: Sshd, tmp_path: Path) -> Path:
    """The sshd's client key, encrypted with the passphrase `open sesame`."""
    encrypted = tmp_path / "client_key_encrypted"
    # PKCS#8: encrypting in OpenSSH's own format needs the optional bcrypt package.
    key = asyncssh.read_private_key(str(sshd.client_key))
    key.write_private_key(str(encrypted), format_name="pkcs8-pem", passphrase="open sesame")
    encrypted.chmod(0o600)
    return encrypted


def test_encrypted_identity_uses_the_passphrase_lookup(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    encrypted = encrypted_copy(sshd, tmp_path)
    asked: list[str] = []

    def lookup(path: str) -> str | None:
        asked.append(path)
        return "open sesame"

    async def main() -> tuple[list[Result], Result]:
        hosts = [sshd.host(f"db{i}", identity=str(encrypted)) for i in range(1, 6)]
        with_lookup = executor(sshd, tmp_path, passphrase_lookup=lookup)
        without = executor(sshd, tmp_path)
        try:
            wave = await asyncio.gather(*(run_one(with_lookup, cmd(host, "true")) for host in hosts))
            return [result for result, _, _ in wave], (await run_one(without, cmd(hosts[0], "true")))[0]
        finally:
            await with_lookup.close()
            await without.close()

    ok, refused = arun(main)
    assert ok == [Result("ok", exit_code=0)] * 5
    assert asked == [str(encrypted)], "five hosts connecting at once ask for the passphrase once"
    assert refused.status == "error" and refused.error == (
        f"identity {encrypted} is encrypted and no SSH agent is there to use it from (SSH_AUTH_SOCK is not set): "
        f"load it into an SSH agent (ssh-add {encrypted}), or store its passphrase in the keyring (keyring set runbook-tui {encrypted});"
        " runbook-tui asks for no passphrase"
    )


def test_an_encrypted_identity_is_left_to_the_agent_as_ssh_does(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    """`identity:` (or IdentityFile) naming an encrypted key, no passphrase at hand, an agent running: its keys stand in.

    Before: every connection failed with `identity ... is encrypted and no passphrase source is set up` although the
    agent held the key and `ssh` with the same IdentityFile got in (nothing sets a passphrase source in a real run).
    """
    encrypted = encrypted_copy(sshd, tmp_path)
    host = sshd.host("db1", identity=str(encrypted))

    async def attempt() -> Result:
        ssh = executor(sshd, tmp_path)
        try:
            return (await run_one(ssh, cmd(host, "true")))[0]
        finally:
            await ssh.close()

    empty = arun(attempt)
    assert empty.status == "error" and f"authentication as {sshd.user} on db1" in (empty.error or ""), empty
    assert f"{encrypted} is encrypted: the SSH agent's keys stood in for it; is it loaded with ssh-add?" in (empty.error or ""), empty
    subprocess.run(["ssh-add", str(sshd.client_key)], capture_output=True, timeout=10, check=True, env={**os.environ, "SSH_AUTH_SOCK": str(agent)})
    assert arun(attempt) == Result("ok", exit_code=0)


def test_a_login_without_identity_says_what_it_really_offered(sshd: Sshd, tmp_path: Path, agent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A host with no `identity:`: the refusal says what was offered, by a real ssh-agent and ~/.ssh. Before: always
    `tried the SSH agent and default keys`, also with SSH_AUTH_SOCK naming a socket that was gone (left from an older
    login) and no ~/.ssh/id_* at all: people ssh-added keys to an agent that was never asked."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    host = sshd.host("db1", identity=None)
    head = f"authentication as {sshd.user} on db1 (127.0.0.1:{sshd.port}) failed (Permission denied for user {sshd.user} on host 127.0.0.1); "

    def attempt() -> Result:
        async def once() -> Result:
            ssh = executor(sshd, tmp_path)
            try:
                return (await run_one(ssh, cmd(host, "true")))[0]
            finally:
                await ssh.close()

        return arun(once)

    empty = attempt()  # the agent runs, holding nothing
    assert empty.error == head + f"no key was offered: the SSH agent at SSH_AUTH_SOCK={agent} holds no key (ssh-add -l); no default key ({home}/.ssh/id_*)"
    other = tmp_path / "other_key"
    other.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
    other.chmod(0o600)
    shutil.copy(other, home / ".ssh" / "id_ed25519")
    subprocess.run(["ssh-add", str(other)], capture_output=True, timeout=10, check=True, env={**os.environ, "SSH_AUTH_SOCK": str(agent)})
    refused = attempt()  # a key the host does not know, in the agent and in ~/.ssh
    assert refused.error == head + f"tried the SSH agent's 1 key and default key {home}/.ssh/id_ed25519"
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "gone.sock"))
    gone = attempt()
    assert gone.error == head + (
        f"tried default key {home}/.ssh/id_ed25519 (no SSH agent: SSH_AUTH_SOCK={tmp_path / 'gone.sock'} cannot be reached"
        " (No such file or directory; left from another login?))"
    )
    (home / ".ssh" / "id_ed25519").unlink()
    monkeypatch.delenv("SSH_AUTH_SOCK")
    assert attempt().error == head + f"no key was offered: no SSH agent (SSH_AUTH_SOCK is not set); no default key ({home}/.ssh/id_*)"
