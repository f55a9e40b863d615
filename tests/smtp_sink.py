"""A local SMTP server (aiosmtpd) for tests and benchmarks that records what it accepted.

Every accepted mail is recorded with its Message-ID and ``X-Kansrijk-Sleutel`` as soon as the
final "." is in; a mail whose connection is cut before that is never recorded, exactly as a
real server discards an unfinished DATA. The sink can be told to refuse (``refuse = "451 ..."``, answered to RCPT
TO) or to hang (``hang = True``: the final "." is never answered, so the client times out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as DEFAULT_POLICY
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # aiosmtpd: every vanished client is an error
HANG_SECONDS = 600  # longer than any client timeout; the handler is cancelled when the client goes


@dataclass(frozen=True)
class Received:
    message_id: str
    sleutel: str
    at: float  # time.time() when the server accepted it


class SmtpSink:
    """Start with ``start()``; ``port`` is where it listens (127.0.0.1)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay  # seconds before accepting each mail: a realistic, slow-ish server
        self.refuse: str | None = None
        self.hang = False
        self.received: list[Received] = []
        self.attempts: list[float] = []  # time.time() of every RCPT TO, refused or not
        self._lock = threading.Lock()
        self.port = _free_port()
        self._controller = _Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    # --- what the tests read -----------------------------------------------------------------
    def sleutels(self) -> list[str]:
        with self._lock:
            return [r.sleutel for r in self.received]

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def duplicates(self) -> dict[str, int]:
        return {key: n for key, n in Counter(self.sleutels()).items() if n > 1}

    def wait_for(self, n: int, timeout: float) -> bool:
        """True once at least ``n`` mails were accepted; False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= n:
                return True
            time.sleep(0.02)
        return self.count() >= n

    # --- aiosmtpd handler hooks -------------------------------------------------------------
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        with self._lock:
            self.attempts.append(time.time())
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hang:  # a server that never accepts: no reply, nothing delivered
            await asyncio.sleep(HANG_SECONDS)
        # Like a real MTA, the mail is accepted once the final "." is in, even when the client
        # disappears before reading the reply (the delay below is the server's slowness).
        message = message_from_bytes(envelope.original_content or envelope.content, policy=DEFAULT_POLICY)
        with self._lock:
            self.received.append(Received(str(message["Message-ID"]), str(message["X-Kansrijk-Sleutel"]), time.time()))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK: queued"


class _ReadsToTheEnd(SMTP):
    """aiosmtpd stops reading the moment the client closes, dropping a complete mail that is still
    in its buffer. A real MTA reads what arrived first: a mail whose final "." was written just
    before the worker was killed is delivered. The handler is left to finish what is buffered."""

    def eof_received(self) -> bool | None:
        return asyncio.StreamReaderProtocol.eof_received(self)  # EOF to the reader, no cancel

    async def _handle_client(self) -> None:
        with contextlib.suppress(ConnectionError):  # the client is gone: nobody to answer
            await super()._handle_client()

    def connection_lost(self, error: Exception | None) -> None:
        handler = self._handler_coroutine
        self._handler_coroutine = _CancelLater(handler)  # type: ignore[assignment]
        super().connection_lost(error)


class _CancelLater:
    def __init__(self, task: Any) -> None:
        self.task = task

    def cancel(self) -> None:
        if self.task is not None:
            asyncio.get_running_loop().call_later(1.0, self.task.cancel)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _ReadsToTheEnd(self.handler, **self.SMTP_kwargs)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
