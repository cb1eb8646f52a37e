"""A fake Slack Web API on 127.0.0.1 that records calls and can fail or rate-limit on demand.

It keeps the channel's messages, so an update or delete of a message that is not there fails as on Slack
(`message_not_found`), checks the bot token (`not_authed` / `invalid_auth`, HTTP 200 with ok=false as Slack answers),
and answers `usergroups.users.list` from the groups a test defines."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKENS = frozenset({"xoxb-test", "xoxb-adversarial"})


class FakeSlack:
    def __init__(self, tokens: frozenset[str] = TOKENS) -> None:
        self.tokens = tokens
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> the message as posted
        self.groups: dict[str, list[str]] = {}  # user-group id -> member user ids
        self.files: dict[str, dict[str, Any]] = {}  # file id -> {filename, length, data, channel, comment}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
        self._ts = 1700000000.0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _respond(self) -> None:
                parsed = urlparse(self.path)
                method = parsed.path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                if "/upload/" in parsed.path:  # the upload URL files.getUploadURLExternal handed out: raw bytes
                    status, text = fake.receive_upload(method, self.rfile.read(length))
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                    return
                raw = self.rfile.read(length).decode() if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw or parsed.query).items()}
                auth = self.headers.get("Authorization") or ""
                token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token", "")
                if method == "response_url" or token in fake.tokens:
                    status, headers, body = fake.answer(method, args)
                else:
                    status, headers, body = 200, {}, {"ok": False,
                                                      "error": "invalid_auth" if token else "not_authed"}
                payload = json.dumps(body).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _respond
            do_POST = _respond

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSlack:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, times: int, status: int = 500, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.failures[method] += [(status, headers)] * times

    def answer(self, method: str, args: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            self.calls.append((method, args))
            if self.failures[method]:
                status, headers = self.failures[method].pop(0)
                error = "ratelimited" if status == 429 else "internal_error"
                return status, headers, {"ok": False, "error": error}
            if method in {"chat.postMessage", "chat.postEphemeral"}:
                if not args.get("channel"):
                    return 200, {}, {"ok": False, "error": "channel_not_found"}
                self._ts += 1
                ts = f"{self._ts:.6f}"
                if method == "chat.postMessage":
                    self.messages[(args["channel"], ts)] = dict(args)
                return 200, {}, {"ok": True, "channel": args["channel"], "ts": ts,
                                 "message": {"text": args.get("text")}}
            if method in {"chat.update", "chat.delete"}:
                key = (args.get("channel", ""), args.get("ts", ""))
                if key not in self.messages:
                    return 200, {}, {"ok": False, "error": "message_not_found"}
                if method == "chat.delete":
                    del self.messages[key]
                else:
                    self.messages[key] = {**self.messages[key], **args}
                return 200, {}, {"ok": True, "channel": key[0], "ts": key[1]}
            if method == "files.getUploadURLExternal":
                if not args.get("filename") or not str(args.get("length", "")).isdigit():
                    return 200, {}, {"ok": False, "error": "invalid_arguments"}
                file_id = f"F{len(self.files) + 1:08d}"
                self.files[file_id] = {"filename": args["filename"], "length": int(args["length"]), "data": None}
                return 200, {}, {"ok": True, "upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}
            if method == "files.completeUploadExternal":
                files = json.loads(args.get("files") or "[]") if isinstance(args.get("files"), str) else args["files"]
                for f in files:
                    known = self.files.get(f.get("id", ""))
                    if known is None or known["data"] is None or len(known["data"]) != known["length"]:
                        return 200, {}, {"ok": False, "error": "file_not_found" if known is None else "upload_failed"}
                channel = args.get("channel_id")
                for f in files:
                    self.files[f["id"]].update(channel=channel, title=f.get("title"),
                                               comment=args.get("initial_comment"))
                if channel:
                    self._ts += 1
                    self.messages[(channel, f"{self._ts:.6f}")] = {"text": args.get("initial_comment"),
                                                                 "files": [f["id"] for f in files]}
                return 200, {}, {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
            if method == "usergroups.users.list":
                group = args.get("usergroup", "")
                if group not in self.groups:
                    return 200, {}, {"ok": False, "error": "no_such_subteam"}
                return 200, {}, {"ok": True, "users": list(self.groups[group])}
            if method == "users.info":
                return 200, {}, {"ok": True, "user": {"id": args.get("user"), "real_name": "Ana Lima",
                                                      "profile": {"display_name": "ana"}}}
            if method == "auth.test":
                return 200, {}, {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"}
            if method == "response_url":
                return 200, {}, {"ok": True}
            return 200, {}, {"ok": True}

    def receive_upload(self, file_id: str, data: bytes) -> tuple[int, bytes]:
        with self._lock:
            known = self.files.get(file_id)
            if known is None:
                return 404, b"not found"
            known["data"] = data
            return 200, f"OK - {len(data)}".encode()

    def called(self, method: str) -> list[dict[str, Any]]:
        return [args for m, args in self.calls if m == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.called(method)) < count:
            time.sleep(0.05)
        return self.called(method)


def wire(services: Any, fake: FakeSlack, signing_secret: str = "slack-signing-secret", channel: str = "C123") -> Any:
    """Point the services' Slack settings at the fake (the token it accepts, its URL, a channel id)."""
    s = services.settings
    s.slack_bot_token, s.slack_signing_secret, s.slack_channel, s.slack_api_url = ("xoxb-test", signing_secret,
                                                                                   channel, fake.url)
    return services
