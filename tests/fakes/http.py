"""The HTTP plumbing every fake provider shares: a threaded server on 127.0.0.1 (a free port) whose requests are
all answered by one function, so each fake is only its provider's rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
# (method, path with query, request headers, raw body) -> (status, response headers, response body)
Answer = Callable[[str, str, dict[str, str], bytes], tuple[int, Headers, bytes]]


def loopback_server(answer: Answer) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _respond(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, headers, payload = answer(self.command, self.path, dict(self.headers.items()), raw)
            self.send_response(status)
            for key, value in headers.items() if isinstance(headers, Mapping) else headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its time budget ran out): a real server sees that too

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _respond

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)
