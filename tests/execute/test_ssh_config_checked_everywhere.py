"""A value ssh cannot read (a `Port`, a `ProxyJump`, a yes/no, a time, a number, one of a list, one value given more)
refuses the whole config, in any block, as ssh refuses it: ssh checks every line of every file it reads, the blocks that
do not apply to the host included. The real `ssh -G` is the judge.
Before: a bad value in another host's block was skipped (asyncssh reads only the blocks that apply), and `plan` and the
run went on with a config `ssh NAME` refuses for every host (session 37: `StrictHostKeyChecking maybe` and the rest; a
`Port` or `ProxyJump` since before)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)

EXPECTED = "expected a number from 1 to 65535, or a tcp service name this machine's services database (/etc/services) knows"
EVERYWHERE = "ssh refuses the whole config for it, whichever host its block is for"
YES_NO = "expected yes, no, true or false"
ALL_ALONE = "expected Match all alone, or after one condition"
NO_PATTERN = "expected a pattern after it (an empty or #-word is none)"


def _no(name: str) -> str:
    return f"{name!r} is no algorithm ssh knows (ssh -Q lists them; a list may start with +, - or ^)"


@pytest.mark.parametrize(
    ("text", "place", "words"),
    [
        ("Host other\n  Port abc\n", "2:8", f"Bad port 'abc': {EXPECTED}"),
        ("Host other  # the team's\n  Port 2x  # don't\n", "2:8", f"Bad port '2x': {EXPECTED}"),
        ("Host db1\n  User ops\nHost other\n  Port=0\n", "4:8", f"Bad port '0': {EXPECTED}"),
        ("Match host other\n  Port 99999\n", "2:8", f"Bad port '99999': {EXPECTED}"),
        ("Host other\n  ProxyJump a:b:c\n", "2:13", "Invalid ProxyJump 'a:b:c': expected [user@]host[:port], comma-separated"),
        ("Host db1\n  ProxyJump ops@::1\n", "2:13", "Invalid ProxyJump 'ops@::1': expected [user@]host[:port], comma-separated"),
        ("Host db1\n  Port 0\n", "2:8", f"Bad port '0': {EXPECTED}"),
        (
            "Host other\n  StrictHostKeyChecking maybe\n",
            "2:25",
            'unsupported option "maybe": expected yes, no, true, false, ask, accept-new or off',
        ),
        ("Host other\n  IdentitiesOnly 2\n", "2:18", f'unsupported option "2": {YES_NO}'),
        ("Match host other\n  BatchMode=perhaps\n", "2:13", f'unsupported option "perhaps": {YES_NO}'),
        ("Host other\n  Compression true\n", "2:15", 'unsupported option "true": expected yes or no'),
        ("Host other\n  ConnectTimeout 1.5\n", "2:18", "invalid time value '1.5': expected seconds, or a time such as 30s, 5m or 1h30m (or none)"),
        ("Host other\n  ServerAliveCountMax -1\n", "2:23", "integer value too small ('-1'): expected a whole number from 0 to 2147483647"),
        ("Host other\n  LogLevel LOUD\n", "2:12", "unsupported log level 'LOUD': expected quiet, fatal, error, info, verbose, debug, debug1, debug2 or debug3"),
        ("Host other\n  HostName a b\n", "2:12", "keyword HostName extra arguments at end of line ('b'): expected one value"),
        ("Host db1\n  User ops admin\n", "2:8", "keyword User extra arguments at end of line ('admin'): expected one value"),
        # algorithm lists (session 38; before: run on, though ssh -G refuses the config): a name after +/^, a pattern
        (
            "Host other\n  Ciphers aes128-ctr,aes256-gmc@openssh.com\n",
            "2:11",
            f"Bad SSH2 cipher spec 'aes128-ctr,aes256-gmc@openssh.com': {_no('aes256-gmc@openssh.com')}",
        ),
        ("Host db1\n  Ciphers +aes*\n", "2:11", f"Bad SSH2 cipher spec '+aes*': {_no('aes*')}"),
        ("Host other\n  MACs ^hmac-sha1,hmac-bogus\n", "2:8", f"Bad SSH2 MAC spec '^hmac-sha1,hmac-bogus': {_no('hmac-bogus')}"),
        (
            "Host other\n  KexAlgorithms curve25519-sha256@openssh.com\n",
            "2:17",
            f"Bad SSH2 KexAlgorithms 'curve25519-sha256@openssh.com': {_no('curve25519-sha256@openssh.com')}",
        ),
        ("Host other\n  HostKeyAlgorithms +ssh-rsa-sha2-256\n", "2:21", f"Bad key types '+ssh-rsa-sha2-256': {_no('ssh-rsa-sha2-256')}"),
        ("Match all\n  PubkeyAcceptedAlgorithms ed25519*\n", "2:28", f"Bad key types 'ed25519*': {_no('ed25519*')}"),
        ("Host other\n  CASignatureAlgorithms !rsa-sha2-256,!rsa-sha512\n", "2:25", f"Bad key types '!rsa-sha2-256,!rsa-sha512': {_no('!rsa-sha512')}"),
        ("Host other\n  Ciphers +\n", "2:11", "Bad SSH2 cipher spec '+': expected a comma-separated list of names after the +"),
        # `Match all` with another condition after it, or two before it (session 38; before: read as if `all` were not there)
        ("Match all user x\n  Port 2200\n", "1:7", f"'all' cannot be combined with other Match attributes: {ALL_ALONE}"),
        ("Host db1\nMatch host=db1 user x ALL\n  Port 2200\n", "2:7", f"'ALL' cannot be combined with other Match attributes: {ALL_ALONE}"),
        ("Match canonical final all\n  Port 2200\n", "1:7", f"'all' cannot be combined with other Match attributes: {ALL_ALONE}"),
        ("Match !all all  # twice\n  Port 2200\n", "1:7", f"'!all' cannot be combined with other Match attributes: {ALL_ALONE}"),
        ('Match user ""\n  Port 2200\n', "1:7", f"Missing Match criteria for user: {NO_PATTERN}"),
        ('Match host db1 exec "#x"\n  Port 2200\n', "1:7", f"Missing Match criteria for exec: {NO_PATTERN}"),
        (
            "Host other\n  HostKeyAlgorithms ssh-ed25519 ssh-rsa\n",
            "2:21",
            "keyword HostKeyAlgorithms extra arguments at end of line ('ssh-rsa'): expected one value",
        ),
    ],
)
def test_a_value_ssh_refuses_anywhere_refuses_the_config_naming_its_line(tmp_path: Path, text: str, place: str, words: str) -> None:
    config, ours = _refused_by_ssh_and_us(tmp_path, text, place)
    assert ours == f"cannot use the ssh config {config}: {config}:{place}: {words}; {EVERYWHERE}"


@pytest.mark.parametrize(
    ("text", "place", "words"),
    [
        ('Host db1\n  ProxyJump "a b\n', "2:13", "No closing quotation"),
        ("Host db1\n\tUser a'b c\n", "2:8", "No closing quotation"),
        ("Match bogus\n  Port 1\n", "1:7", "Invalid match condition bogus"),
        ("  Match host db1  bogus\n  Port 1\n", "1:19", "Invalid match condition bogus"),
        ("Match host\n  Port 1\n", "1:7", "Missing host match pattern"),
    ],
)
def test_a_line_asyncssh_refuses_is_said_at_its_line_and_column(tmp_path: Path, text: str, place: str, words: str) -> None:
    """A line asyncssh's own parser refuses (an open quote, a `Match` condition it does not know): at FILE:LINE:COL as
    every other ssh config error (before: `FILE line 2: No closing quotation`, asyncssh's words, no column)."""
    config, ours = _refused_by_ssh_and_us(tmp_path, text, place)
    assert ours == f"cannot use the ssh config {config}: {config}:{place}: {words}"


def _refused_by_ssh_and_us(tmp_path: Path, text: str, place: str) -> tuple[Path, str]:
    """The config holding `text`, which the real `ssh -G` refuses at the line of `place`, and our refusal of it."""
    config = tmp_path / "config"
    config.write_text(text)
    said = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30)
    line = place.partition(":")[0]
    assert said.returncode == 255 and f"{config} line {line}: " in said.stderr and "terminating" in said.stderr, said.stderr
    with pytest.raises(SshConfigError) as raised:
        SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    return config, str(raised.value)


def test_an_included_file_is_checked_too(tmp_path: Path) -> None:
    included = tmp_path / "other.conf"
    included.write_text("# another team's hosts\nHost other\n  Port 2x\n")
    config = tmp_path / "config"
    config.write_text(f"Host db1\n  HostName 10.0.0.5\nMatch host nothing\n  Include {included}\n")
    said = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30)
    assert said.returncode == 255 and f"{included} line 3: Bad port '2x'" in said.stderr, said.stderr
    with pytest.raises(SshConfigError, match=f"{included}:3:8: Bad port '2x'"):
        SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))


@pytest.mark.parametrize(
    "line",
    [
        "Port ssh",
        "Port 2222",
        "ProxyJump none",
        "ProxyJump ops@jump:2222,[::1]:22",
        "StrictHostKeyChecking Accept-New",
        "BatchMode YES",
        "ConnectTimeout 1m30s",
        "ConnectTimeout none",
        "ServerAliveInterval 30s",
        "ConnectionAttempts +5",
        "LogLevel debug3",
        "ForwardAgent $SSH_AUTH_SOCK",
        'IdentityFile "~/.ssh/my key"',
        "Ciphers +aes128-cbc",
        "Ciphers -aes*,nosuch",
        "Ciphers ^aes128-gcm@openssh.com,chacha20-poly1305@openssh.com",
        "Ciphers aes128-ctr,,nosuch",
        "MACs hmac-sha2-256-etm@openssh.com",
        "KexAlgorithms -sntrup761x25519-sha512@openssh.com",
        "HostKeyAlgorithms ssh-ed25519*,ecdsa-sha2-nistp25?",
        "HostKeyAlgorithms +ssh-rsa",
        "PubkeyAcceptedKeyTypes ^rsa-sha2-512",
        "CASignatureAlgorithms -ssh-rsa",
    ],
)
@pytest.mark.parametrize("block", ["other", "db1"])
def test_good_values_elsewhere_or_in_the_hosts_block_are_no_obstacle(tmp_path: Path, line: str, block: str) -> None:
    """In the host's own block too: asyncssh took a number alone for a time (`Invalid ConnectTimeout integer value: 1m`)
    and refused the config ssh reads, before session 37."""
    config = tmp_path / "config"
    config.write_text(f"Host {block}\n  {line}  # fine\nHost db1\n  HostName 10.0.0.5\n")
    assert subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, timeout=30).returncode == 0
    assert SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK)).address == "10.0.0.5"


@pytest.mark.parametrize(
    "match",
    ["Match all", "Match ALL  # every host", "Match user x all", "Match host=db1 all", "Match final all", "Match host db1 !all", "Match !all"],
)
def test_match_all_alone_or_after_one_condition_is_read_as_ssh_reads_it(tmp_path: Path, match: str) -> None:
    config = tmp_path / "config"
    config.write_text(f"{match}\n  Port 2200\n")
    said = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert said.returncode == 0, said.stderr
    port = next(int(line.split()[1]) for line in said.stdout.splitlines() if line.startswith("port "))
    assert SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK)).port == port


@pytest.mark.parametrize(
    "line",
    [
        "LocalForward 8080 localhost:80",
        "LocalForward 127.0.0.1:8080 [::1]:80",
        "LocalForward [::1]:8080 db:postgresql",
        "LocalForward /tmp/l.sock /run/r.sock",
        "LocalForward 8080 /run/r.sock",
        "LocalForward 99999 x:1",
        "LocalForward 0 x:1",
        "LocalForward 8080 x:0",
        "LocalForward bogus",
        "LocalForward 8080 x",
        "LocalForward 8080 x:80:y",
        "LocalForward 8080 [x:80",
        "LocalForward a\\:b:8080 x:80",
        "RemoteForward 8080",
        "RemoteForward 0 x:80",
        "RemoteForward 8080 x:nosuchservice",
        "DynamicForward 1080",
        "DynamicForward localhost:1080",
        "DynamicForward x:y:z",
        "DynamicForward 0",
        "DynamicForward /tmp/d.sock",
        "LocalForward 8080 x:80 extra",
        "RemoteForward 8080 x:80 y",
        "DynamicForward 1080 x",
    ],
)
def test_a_forwarding_is_refused_exactly_where_ssh_refuses_it(tmp_path: Path, line: str) -> None:
    """runbook-tui forwards nothing, but a config ssh refuses for a bad forwarding in any block is refused for every host
    (session 38; before: `LocalForward 99999 x:1` under `Host other` and the run went on)."""
    config = tmp_path / "config"
    config.write_text(f"Host other\n  {line}\nHost db1\n  HostName 10.0.0.5\n")
    said = subprocess.run(["ssh", "-G", "-F", str(config), "db1"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    if said.returncode == 0:
        assert SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK)).address == "10.0.0.5"
        return
    ssh_words = said.stderr.split(f"{config} line 2: ")[1].split(".")[0].split("\n")[0].lower()  # `bad forwarding specification`, …
    with pytest.raises(SshConfigError, match=f"{config}:2:") as raised:
        SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert f": {ssh_words}" in str(raised.value).lower() and EVERYWHERE in str(raised.value), (said.stderr, str(raised.value))
