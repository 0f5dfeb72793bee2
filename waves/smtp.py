"""One SMTP connection and the outcome of handing it one message.

The steps are taken one by one (MAIL, RCPT, DATA) so that the outcome says whether the message may
have been delivered:

- a refusal or a lost connection before DATA means it certainly was not (``refused`` for a
  permanent 5xx reply, ``failed`` otherwise, which a later run retries);
- a connection lost or timed out during DATA leaves it unknown (``None``): the ledger keeps the
  attempt and it is not sent again (at most once).

The password comes from the environment variable ``smtp.password_env`` or, without it, from the
system keyring (service ``impleval-smtp``, the username); never from the project folder.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from project.errors import ConfigError, PipelineError
from project.outreach import Smtp

KEYRING_SERVICE = "impleval-smtp"


class MailServerError(PipelineError):
    """The mail server cannot be reached, or stopped answering."""


@dataclass(frozen=True)
class Outcome:
    #: ``sent``, ``refused``, ``failed``, or ``None`` when delivery is unknown.
    status: str | None
    #: The server's reply code and text (never the address), or what went wrong.
    detail: str
    #: Whether the connection is gone (the batch stops).
    lost: bool = False


def password(smtp: Smtp) -> str | None:
    """The SMTP password: the environment variable, else the keyring, else none."""
    if os.environ.get(smtp.password_env):
        return os.environ[smtp.password_env]
    if smtp.username is None:
        return None
    try:
        import keyring

        found = keyring.get_password(KEYRING_SERVICE, smtp.username)
    except Exception:  # no keyring backend on this machine: same as no entry
        found = None
    if found is None:
        raise ConfigError(
            f"outreach.smtp: no password for {smtp.username!r}. Hint: set {smtp.password_env}, "
            f"or store it with `keyring set {KEYRING_SERVICE} {smtp.username}`; it never goes "
            f"into project.yaml."
        )
    return str(found)


def connect(smtp: Smtp) -> smtplib.SMTP:
    """An open, logged-in connection.

    Raises
    ------
    MailServerError
        When the server cannot be reached, refuses TLS or the login.
    """
    where = f"SMTP server {smtp.host}:{smtp.port}"
    secret = password(smtp)
    try:
        if smtp.tls == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        conn.ehlo_or_helo_if_needed()
        if smtp.tls == "starttls":
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if smtp.username and secret is not None:
            conn.login(smtp.username, secret)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailServerError(
            f"{where}: the login was refused ({exc.smtp_code}). Hint: check outreach.smtp."
            f"username and the password in {smtp.password_env} or the keyring."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailServerError(
            f"{where}: cannot connect ({type(exc).__name__}: {str(exc)[:120]}). Hint: check "
            f"outreach.smtp in project.yaml and that the server runs; nothing was sent."
        ) from None
    return conn


def build_message(smtp: Smtp, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {said.splitlines()[0][:120] if said else ''}".strip()


def _refusal(code: int, text: bytes | str, conn: smtplib.SMTP) -> Outcome:
    lost = code == 421
    if not lost:
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            lost = True
    return Outcome("refused" if 500 <= code < 600 else "failed", _reply(code, text), lost)


def hand_over(conn: smtplib.SMTP, smtp: Smtp, to: str, message: EmailMessage) -> Outcome:
    """Send one message on an open connection; see the module docstring for the outcomes."""
    try:
        code, text = conn.mail(smtp.sender)
        if code != 250:
            return _refusal(code, text, conn)
        code, text = conn.rcpt(to)
        if code not in (250, 251):
            return _refusal(code, text, conn)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome("failed", f"{type(exc).__name__} before the message was handed over", True)
    try:
        code, text = conn.data(message.as_bytes())
    except smtplib.SMTPDataError as exc:  # DATA itself refused: nothing was handed over
        return _refusal(exc.smtp_code, exc.smtp_error, conn)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(None, f"{type(exc).__name__} while the message was handed over", True)
    if code == 250:
        return Outcome("sent", _reply(code, text))
    return _refusal(code, text, conn)


def close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()
