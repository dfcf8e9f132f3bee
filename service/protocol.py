"""The HTTP protocol uvicorn serves with: h11, plus a deadline for request headers.

uvicorn times the pause between keep-alive requests but not the request head itself, so a client that sends its
headers a byte at a time holds a connection for ever (a slow-loris attack). Here a request head must be complete
within ``STEMCLAIM_HEADER_TIMEOUT_SECONDS`` of the connection opening or the previous response ending; otherwise
the client gets a 408 problem and the connection is closed. Bodies are timed by the app (``body_deadline``).
"""

from __future__ import annotations

import asyncio
import json
from functools import cache

from uvicorn.protocols.http.h11_impl import H11Protocol

from service.problems import problem
from service.settings import Settings


@cache
def header_timeout() -> float:
    return Settings.from_env().header_timeout_seconds


def _timeout_response(seconds: float) -> bytes:
    body = json.dumps(problem(408, f"The request headers did not arrive within {seconds:g} seconds.",
                              "slow-headers")).encode()
    return (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\nconnection: close\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


class HeaderDeadlineProtocol(H11Protocol):
    """h11 with a deadline for each request head (see the module docstring)."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self._waiting_for_response():
            self._disarm()  # the head is in; the request is now the app's

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._waiting_for_response():
            self._arm()

    def _waiting_for_response(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(header_timeout(), self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or self._waiting_for_response():
            return
        self.transport.write(_timeout_response(header_timeout()))
        self.transport.close()
