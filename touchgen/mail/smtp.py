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


class NotDelivered(Exception):
    """The connection failed before the message body was handed over: safe to try again."""


class Unreachable(NotDelivered):
    """No connection to the SMTP server could be made."""


class Uncertain(Exception):
    """The connection failed after the body was handed over: the server may have accepted it."""


class Outcome(StrEnum):
    """What became of one message."""

    SENT = "sent"  # the server accepted it
    BOUNCED = "bounced"  # refused for good (5xx at RCPT or after the body): this reader's address
    UNCERTAIN = "uncertain"  # the connection failed after the body was handed over
    FAILED = "failed"  # refused for now (4xx) after every retry
    REFUSED = "refused"  # the server refuses the sender or the session, not this reader
    UNREACHABLE = "unreachable"  # no connection could be made, after every retry


@dataclass(frozen=True)
class Retry:
    """The pauses after a temporary refusal or a dropped connection, before giving up for this run,
    and how to pause (tests pass a sleep that only records)."""

    delays: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    sleep: Callable[[float], None] = time.sleep


RETRY = Retry()  # read at each send, so tests can set it


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
            steps: tuple[tuple[str, Callable[[], tuple[int, bytes]]], ...] = (
                ("MAIL", lambda: client.mail(sender)), ("RCPT", lambda: client.rcpt(recipient)),
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
        if 200 <= code < 300:
            return Outcome.SENT, reply
        if code >= 500 and step in ("RCPT", "BODY"):
            return Outcome.BOUNCED, f"{code} {reply}"
        if code >= 500:
            return Outcome.REFUSED, f"{code} {reply} (at {step})"
        if code > 0:
            reply = f"{code} {reply}"
        if delay is None:
            return (Outcome.UNREACHABLE if code == -1 else Outcome.FAILED), reply
        retry.sleep(delay)
    return Outcome.FAILED, reply
