"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records every message, and variants that refuse
an address, drop the connection or stop answering half-way; and an example project pointed at it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Recorder:
    """The handler: records each accepted message; misbehaves as asked."""

    refuse: set[str] = field(default_factory=set)
    #: Close the connection at RCPT once this many messages were accepted (not delivered).
    drop_at_rcpt: int | None = None
    #: Close the connection during DATA of this message number (1-based): delivery unknown.
    drop_in_data: int | None = None
    #: Stop answering at RCPT once this many messages were accepted (the client times out).
    stall_at_rcpt: int | None = None
    messages: list[tuple[str, Message]] = field(default_factory=list)
    data_seen: int = 0
    _never: asyncio.Event | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.casefold() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if self.drop_at_rcpt is not None and len(self.messages) >= self.drop_at_rcpt:
            server.transport.close()
            return "421 4.3.0 closing"
        if self.stall_at_rcpt is not None and len(self.messages) >= self.stall_at_rcpt:
            self._never = self._never or asyncio.Event()
            await self._never.wait()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.data_seen += 1
        if self.drop_in_data is not None and self.data_seen == self.drop_in_data:
            server.transport.close()
            return "421 4.3.0 closing"
        for rcpt in envelope.rcpt_tos:
            self.messages.append(
                (rcpt, message_from_bytes(envelope.content, policy=policy.default))
            )
        return "250 2.0.0 accepted"

    def recipients(self) -> list[str]:
        return [to.casefold() for to, _ in self.messages]


@dataclass
class MailServer:
    port: int
    recorder: Recorder
    controller: Controller


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A recording SMTP server on 127.0.0.1; set ``.recorder`` fields to make it misbehave."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield MailServer(port, recorder, controller)
    finally:
        controller.stop()


def point_at(project: Path, port: int, *, timeout: float = 5) -> None:
    """Point the project's outreach.smtp at 127.0.0.1:port."""
    path = project / "project.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "port: 2525, sender: utvardering@example.org, tls: none",
        f"port: {port}, sender: utvardering@example.org, tls: none, timeout: {timeout}",
    )
    path.write_text(text, encoding="utf-8")
