"""A real SMTP server on 127.0.0.1 (aiosmtpd) whose misbehaviour the tests choose."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Handler:
    received: list[tuple[str, bytes]] = field(default_factory=list)
    temporary: Counter[str] = field(default_factory=Counter)  # address -> 451 replies still to give
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550
    rcpt_replies: dict[str, str] = field(default_factory=dict)  # address -> the reply to its RCPT
    rcpt_reply_all: str | None = None  # the reply to every RCPT (such as a relay refusal)
    data_reply: str | None = None  # the reply after every message body (such as 552 too large)
    drop_at_mail: set[int] = field(default_factory=set)  # close the connection at the Nth MAIL FROM
    pause: tuple[str, int] | None = None  # ("RCPT" | "DATA", n): hold the Nth such command
    paused: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    mails: int = 0
    rcpts: int = 0
    datas: int = 0

    async def _hold(self, phase: str, count: int) -> None:
        if self.pause == (phase, count):
            self.paused.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails += 1
        if self.mails in self.drop_at_mail:
            server.transport.close()
            return "421 closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts += 1
        await self._hold("RCPT", self.rcpts)
        if self.rcpt_reply_all:
            return self.rcpt_reply_all
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        if address in self.refuse:
            return "550 5.1.1 No such user"
        if self.temporary[address] > 0:
            self.temporary[address] -= 1
            return "451 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        if self.data_reply:
            return self.data_reply
        for address in envelope.rcpt_tos:
            self.received.append((address, envelope.original_content))
        await self._hold("DATA", self.datas)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [BytesParser(policy=policy.default).parsebytes(data) for _, data in self.received]  # type: ignore[misc]

    def per_recipient(self) -> Counter[str]:
        return Counter(address for address, _ in self.received)


class SmtpServer:
    def __init__(self, smtputf8: bool = False) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8)

        self.running = False

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        """Take the server away (idempotent): nothing listens on its port any more."""
        self.handler.release.set()
        if self.running:
            self.controller.stop()
            self.running = False

    def __exit__(self, *exc: object) -> None:
        self.stop()
