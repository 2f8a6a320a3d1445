"""Fixtures of the command-line tests (their helpers are in ``_helpers``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.cli._helpers import EVENTS, Answer, person


@pytest.fixture
def slow_sandbox(zendesk_sandbox_factory: Any) -> Any:
    """A sandbox with :data:`EVENTS` events of person 0, ~25 ms a page: 24 pages of 10 take
    long enough to be interrupted in the middle."""
    sandbox = zendesk_sandbox_factory(latency=0.025)
    sandbox.add_events(person(0, EVENTS))
    return sandbox


@pytest.fixture
def hostile() -> Iterator[Callable[[Answer], str]]:
    """Start a loopback server answering with ``answer``; its base URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> str:
        count = [0]
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    count[0] += 1
                    n = count[0]
                status, body = answer(n, self.headers.get("Authorization", ""))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
