"""Run the feed app under uvicorn, configured for an internet-facing, token-secret service.

Choices, and why:

* `http="h11"` (pure Python, no extra dependency): h11 bounds a request head that is still
  arriving (`h11_max_incomplete_event_size`, 16 KiB here: 400 and close past it), so memory per
  connection stays bounded; uvicorn's httptools protocol buffers the URL and headers without any
  limit. A head that arrives whole in one read (up to 256 KiB) gets past h11; the app refuses it
  with 431 (`make_app(max_head_bytes=...)`). httptools measured ~25% more throughput, not needed.
* A request-head deadline (`header_timeout`): uvicorn only times out *idle* keep-alive
  connections, so a client trickling a request head a byte at a time (slowloris) would hold its
  connection forever. `_GuardedH11Protocol` closes a connection whose request head has not fully
  arrived `header_timeout` seconds after the connection became ready for it.
* `access_log=False`: uvicorn's access line contains the path, and so the token. The app writes
  its own, redacted, line instead. `server_header=False`; `ws="none"` (no WebSocket upgrades);
  `proxy_headers=False` (the client address is never used); `lifespan="on"`.
* SIGINT/SIGTERM: uvicorn's own handlers stop the server gracefully.

Logging of the app's access lines is the caller's business (configure the app's logger).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from scheduler.feeds.app import ASGIApp

MAX_HEADER_BYTES = 16 * 1024


class _GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for receiving each complete request head."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # a whole request head has been parsed
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_head_timer()  # ready for the next request on this keep-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def build_config(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    limit_concurrency: int = 1000,
    timeout_keep_alive: int = 5,
    header_timeout: float = 10.0,
    max_header_bytes: int = MAX_HEADER_BYTES,
    backlog: int = 2048,
    **overrides: Any,
) -> uvicorn.Config:
    """The uvicorn Config `serve` uses; `overrides` are passed to uvicorn.Config as they are."""
    protocol = type("FeedH11Protocol", (_GuardedH11Protocol,), {"header_timeout": float(header_timeout)})
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": protocol,
        "ws": "none",
        "lifespan": "on",
        "interface": "asgi3",
        "access_log": False,
        "log_level": "warning",
        "server_header": False,
        "date_header": True,
        "proxy_headers": False,
        "limit_concurrency": limit_concurrency,
        "timeout_keep_alive": timeout_keep_alive,
        "h11_max_incomplete_event_size": max_header_bytes,
        "backlog": backlog,
        "timeout_graceful_shutdown": 5,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn Server that prints one line on stderr once it is listening."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
            print(f"feeds: listening on http://{host}:{self.config.port}/feeds/", file=sys.stderr, flush=True)


def serve(app: ASGIApp, **options: Any) -> None:
    """Serve `app` until SIGINT/SIGTERM (blocking).

    `limit_concurrency` caps open connections plus running requests (beyond it uvicorn answers
    503); `timeout_keep_alive` closes idle keep-alive connections; `header_timeout` closes a
    connection whose request head is still incomplete; `max_header_bytes` bounds a request head
    still arriving (beyond it: 400 and close): the options of `build_config`, whose defaults apply;
    any other option goes to uvicorn.Config unchanged.
    """
    _AnnouncingServer(build_config(app, **options)).run()
