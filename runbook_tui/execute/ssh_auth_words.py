"""Why an SSH connection or login failed, in one line a tired person can act on: the keys tried, the agent's, the
config's missing identity and certificate files, sshd's MaxAuthTries."""

from __future__ import annotations

from runbook_tui.execute.ssh_endpoint import Endpoint
from runbook_tui.execute.ssh_identities_only import KEPT_FROM_AGENT
from runbook_tui.execute.ssh_offered import offered_words

#: What sshd says when its MaxAuthTries (6) refused keys ended a login.
TOO_MANY_KEYS = "Too many authentication failures"


async def refused_words(endpoint: Endpoint, exc: BaseException, skipped: list[str], certificates: tuple[str, ...], encrypted: list[str]) -> str:
    """`authentication as USER on TARGET failed (WHY); tried …`: the host refused every key offered (or too many of them)."""
    tried = [path for path in endpoint.identities if path not in skipped]  # none: the agent and default keys stood in
    keys = f"tried identity {', '.join(tried)}" if tried else await offered_words(endpoint.agent)
    if skipped:  # before: `tried identity ~/.ssh/id_db`, a file never read nor offered
        keys += f" (identity {', '.join(skipped)} of the ssh config {'is' if len(skipped) == 1 else 'are'} not there: skipped, as ssh skips it)"
    keys += certificate_words(endpoint.certificates, certificates)
    if encrypted:
        keys += f" ({', '.join(encrypted)} is encrypted: the SSH agent's keys stood in for it; is it loaded with ssh-add?)"
    keys += KEPT_FROM_AGENT if endpoint.identities_only else ""
    if TOO_MANY_KEYS in reason(exc):  # before: `cannot connect to db1 (…): Too many authentication failures`, retried
        keys += (
            "; sshd's MaxAuthTries ended the login after that many refused keys: name the host's key with identity: in the runbook,"
            " or with IdentityFile and IdentitiesOnly yes in the ssh config"
        )
    return f"authentication as {endpoint.user} on {endpoint.target} failed ({reason(exc)}); {keys}"


def certificate_words(named: tuple[str, ...], found: tuple[str, ...]) -> str:
    """` with certificate C`, and which of the config's CertificateFiles were not there (skipped, as ssh skips them)."""
    missing = [path for path in named if path not in found]
    said = f" with certificate {', '.join(found)}" if found else ""
    return said + (f" (certificate {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not there)" if missing else "")


def reason(exc: BaseException) -> str:
    """A one-line reason for an exception, without a traceback."""
    text = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
    return str(text).strip() or type(exc).__name__
