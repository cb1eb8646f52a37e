"""Fakes for the LLM engine: a scripted LangChain chat model, and an OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage


class ScriptedChatModel(GenericFakeChatModel):
    """Plays back AIMessages (with tool calls) in order; records what it was asked."""

    seen: list[Any] = []

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self

    def invoke(self, input: Any, config: Any = None, **kwargs: Any) -> AIMessage:  # type: ignore[override]  # noqa: A002
        self.seen.append(list(input))
        return super().invoke(input, config, **kwargs)  # type: ignore[return-value]


def call(name: str, args: dict[str, Any], call_id: str = "c1") -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}])


def say(text: str) -> AIMessage:
    return AIMessage(content=text)


class OpenAIStub:
    """Speaks /v1/chat/completions (JSON and SSE streaming, tool calls). Script entries:
    {"tool": name, "args": {...} | "raw json"}, {"text": "..."}, {"status": 500}, {"sleep": seconds}."""

    def __init__(self) -> None:
        self.script: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(body)
                step = stub.script.pop(0) if stub.script else {"text": "(script ended)"}
                if "sleep" in step:
                    time.sleep(step["sleep"])
                    step = stub.script.pop(0) if stub.script else {"text": "late"}
                if "status" in step:
                    self.send_response(step["status"])
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps({"error": {"message": "boom", "type": "server_error"}}).encode())
                    return
                message: dict[str, Any] = {"role": "assistant", "content": step.get("text")}
                if "tool" in step:
                    args = step["args"] if isinstance(step["args"], str) else json.dumps(step["args"])
                    message["tool_calls"] = [{"id": f"call_{len(stub.requests)}", "type": "function",
                                              "function": {"name": step["tool"], "arguments": args}}]
                    message["content"] = None
                if body.get("stream"):
                    self._stream(message)
                    return
                payload = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body.get("model"),
                           "choices": [{"index": 0, "message": message,
                                        "finish_reason": "tool_calls" if "tool_calls" in message else "stop"}],
                           "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, message: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()

                def chunk(delta: dict[str, Any], finish: str | None = None) -> None:
                    data = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "stub",
                            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                    self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()

                if message.get("tool_calls"):
                    chunk({"role": "assistant", "tool_calls": [{**message["tool_calls"][0], "index": 0}]})
                    chunk({}, "tool_calls")
                else:
                    for word in (message.get("content") or "").split(" "):
                        chunk({"content": word + " "})
                    chunk({}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OpenAIStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
