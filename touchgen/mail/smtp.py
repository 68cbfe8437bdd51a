"""The SMTP connection: opened on demand, reused, reopened after it drops; each delivery's outcome,
with temporary refusals retried after a pause."""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ..config import Settings
from ..errors import SendError
from ..text import ascii_address


class NotDelivered(Exception):
    """The connection failed before the message body was handed over: safe to try again."""


class Unreachable(NotDelivered):
    """No connection to the SMTP server could be made."""


class Uncertain(Exception):
    """The connection failed after the body was handed over: the server may have accepted it."""


class Unsendable(Exception):
    """This server cannot take this message at all (an address that needs SMTPUTF8 it does not offer)."""


class Outcome(StrEnum):
    """What became of one message."""

    SENT = "sent"  # the server accepted it
    BOUNCED = "bounced"  # refused for good (5xx at RCPT or after the body): this reader's address
    UNCERTAIN = "uncertain"  # the connection failed after the body was handed over
    FAILED = "failed"  # refused for now (4xx) after every retry
    REFUSED = "refused"  # the server refuses the sender or the session, not this reader
    UNREACHABLE = "unreachable"  # no connection could be made, after every retry
    UNSENDABLE = "unsendable"  # this server cannot take this one message; the run goes on


@dataclass(frozen=True)
class Retry:
    """The pauses after a temporary refusal or a dropped connection, before giving up for this run,
    how to pause and the clock the rate limit reads (tests pass a sleep that only records and a clock
    that moves only by those pauses)."""

    delays: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic  # for the rate limit


RETRY = Retry()  # read at each send, so tests can set it

ENHANCED_RE = re.compile(r"^\s*5\.(\d{1,3})\.(\d{1,3})\b")
# Without an enhanced status code, these answers to RCPT are about the mailbox (RFC 5321 4.2.2).
MAILBOX_CODES = (550, 551, 552, 553)


def classify(code: int, reply: str, step: str) -> Outcome | None:
    """What a permanent refusal (5xx) at `step` says (RFC 3463): BOUNCED when it is about this
    reader's address (5.1.x, 5.2.x; 5.4.x at RCPT), REFUSED when it is about the sender, the session
    or the message (5.3.x, 5.5.x, 5.6.x, 5.7.x, anything at MAIL or DATA); None below 500."""
    if code < 500:
        return None
    if step not in ("RCPT", "BODY"):
        return Outcome.REFUSED
    enhanced = ENHANCED_RE.match(reply)
    if enhanced:
        subject = enhanced.group(1)
        return Outcome.BOUNCED if subject in ("1", "2") or (subject == "4" and step == "RCPT") else Outcome.REFUSED
    return Outcome.BOUNCED if step == "RCPT" and code in MAILBOX_CODES else Outcome.REFUSED


def what_to_check(reply: str, settings: Settings) -> str:
    """What the author should look at when the server refuses the run, from its reply."""
    enhanced = re.search(r"\b5\.(\d{1,3})\.\d{1,3}\b", reply)
    subject = enhanced.group(1) if enhanced else ""
    text = reply.lower()
    if subject == "7" or "relay" in text or "auth" in text:
        return (f"the server refused to relay this mail or to accept this sender: check the login ([smtp] username "
                f"and the password in ${settings.smtp.password_env}) and that [newsletter] from is an address "
                "the server lets you send from")
    if subject == "3" or reply.startswith("552") or "size" in text or "too large" in text or "too big" in text:
        return "the server refused the message's size: make the post or its images smaller"
    if subject == "6" or "content" in text or "spam" in text:
        return "the server refused the message's content: check the post and the email template"
    if subject == "5" or reply.startswith(("500", "501")):
        return "the server refused a command or the message's format (such as a line that is too long)"
    return "check [smtp] and [newsletter] from in touchgen.toml"


class Connection:
    """One SMTP connection, opened on demand and reopened after it drops."""

    def __init__(self, settings: Settings, timeout: float = 30) -> None:
        self.settings = settings.smtp
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None
        self.password = os.environ.get(self.settings.password_env, "") if self.settings.password_env else ""

    def open(self) -> None:
        smtp = self.settings
        try:
            if smtp.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=self.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(smtp.host, smtp.port, timeout=self.timeout)
                if smtp.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"the SMTP server {smtp.host}:{smtp.port} refused the login of {smtp.username} "
                            f"({exc.smtp_code}); check the password in ${smtp.password_env}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"cannot connect to the SMTP server {smtp.host}:{smtp.port} ({exc}); "
                            "check [smtp] in touchgen.toml") from None
        self.smtp = client

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def deliver(self, sender: str, recipient: str, data: bytes) -> tuple[int, str, str]:
        """The server's reply to one message and the step it came at (MAIL, RCPT, DATA or BODY).
        Raises NotDelivered or Uncertain when the connection fails, depending on whether the body
        had been handed over."""
        if self.smtp is None:
            try:
                self.open()
            except SendError as exc:
                raise Unreachable(str(exc)) from None
        assert self.smtp is not None
        client = self.smtp
        try:
            client.ehlo_or_helo_if_needed()
            envelope, options = ascii_address(recipient), []
            if envelope is None:  # a non-ASCII local part (josé@): only with SMTPUTF8 (RFC 6531)
                if not client.has_extn("smtputf8"):
                    raise Unsendable(f"the SMTP server does not offer SMTPUTF8, which the address {recipient} needs")
                envelope, options = recipient, ["SMTPUTF8"]
            steps: tuple[tuple[str, Callable[[], tuple[int, bytes]]], ...] = (
                ("MAIL", lambda: client.mail(sender, options)), ("RCPT", lambda: client.rcpt(envelope or recipient)),
                ("DATA", lambda: client.docmd("DATA")))
            for step, command in steps:
                code, reply = command()
                if code not in (250, 251, 354):
                    client.rset()
                    return code, reply.decode("utf-8", "replace"), step
        except (OSError, smtplib.SMTPException) as exc:
            self.drop()
            raise NotDelivered(str(exc)) from None
        body = re.sub(rb"(?m)^\.", b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        try:
            client.send(body + b".\r\n")
            code, answer = client.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self.drop()
            raise Uncertain(str(exc)) from None
        if code == -1:
            self.drop()
            raise Uncertain(answer.decode("utf-8", "replace"))
        return code, answer.decode("utf-8", "replace"), "BODY"


def deliver_with_retries(connection: Connection, sender: str, recipient: str, data: bytes,
                         retry: Retry) -> tuple[Outcome, str]:
    """Hand one message to the server, pausing and trying again after a temporary refusal or a
    dropped connection: (the outcome, the server's last words)."""
    reply = ""
    for delay in (*retry.delays, None):
        try:
            code, reply, step = connection.deliver(sender, recipient, data)
        except Unreachable as exc:
            code, reply, step = -1, str(exc), ""
        except NotDelivered as exc:
            code, reply, step = 0, str(exc), ""
        except Uncertain as exc:
            return Outcome.UNCERTAIN, str(exc)
        except Unsendable as exc:
            return Outcome.UNSENDABLE, str(exc)
        if 200 <= code < 300:
            return Outcome.SENT, reply
        permanent = classify(code, reply, step)
        if permanent is Outcome.BOUNCED:
            return permanent, f"{code} {reply}"
        if permanent is Outcome.REFUSED:
            return permanent, f"{code} {reply} (at {step})"
        if code > 0:
            reply = f"{code} {reply}"
        if delay is None:
            return (Outcome.UNREACHABLE if code == -1 else Outcome.FAILED), reply
        retry.sleep(delay)
    return Outcome.FAILED, reply


def check_login(settings: Settings) -> None:
    """Refuse, before connecting, a login that cannot work or would give the password away: a
    username whose password variable is unset or empty, or a login without TLS (unless
    allow_plain_login). Messages name the variable, never its value."""
    smtp = settings.smtp
    if not smtp.username:
        return
    if not os.environ.get(smtp.password_env, ""):
        raise SendError(f"touchgen.toml: [smtp] username is {smtp.username!r} but the environment variable "
                        f"${smtp.password_env} (password_env) is unset or empty; set it to the SMTP password, "
                        f"such as: export {smtp.password_env}=...")
    if smtp.security == "none" and not smtp.allow_plain_login:
        raise SendError(f"touchgen.toml: [smtp] security = \"none\" would send the password of {smtp.username} "
                        "unencrypted; use security = \"starttls\" or \"ssl\" (or set allow_plain_login = true "
                        "for a server on this machine)")
