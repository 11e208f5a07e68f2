"""A fake LLM provider on a local port, speaking the wire format from the repository's wire
fixtures (test/fixtures/wire): the upstream of direct-mode calls. Each request takes the next
scripted answer for its path, else the path's default; requests are kept for assertions."""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    fixture: str
    headers: dict[str, str] = field(default_factory=dict)


DEFAULTS = {
    "/v1/chat/completions": Answer(200, "openai-chat.json"),
    "/v1/responses": Answer(200, "openai-responses.json"),
    "/v1/messages": Answer(200, "anthropic-messages.json"),
}
STREAMS = {
    "/v1/chat/completions": "openai-chat-stream.sse",
    "/v1/responses": "openai-responses-stream.sse",
    "/v1/messages": "anthropic-messages-stream.sse",
}


@dataclass
class FakeProvider:
    url: str
    wire: Path
    received: list[dict[str, Any]] = field(default_factory=list)
    scripted: dict[str, deque[Answer]] = field(default_factory=lambda: defaultdict(deque))

    def script(self, path: str, *answers: Answer) -> None:
        self.scripted[path].extend(answers)


@contextmanager
def fake_provider(wire: Path) -> Iterator[FakeProvider]:
    state: list[FakeProvider] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            fake = state[0]
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))) or b"{}")
            fake.received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            queue = fake.scripted[self.path]
            answer = queue.popleft() if queue else DEFAULTS[self.path]
            if body.get("stream") is True and answer.status == 200 and not answer.fixture.endswith(".sse"):
                answer = Answer(200, STREAMS[self.path])
            content = (wire / answer.fixture).read_bytes()
            self.send_response(answer.status)
            kind = "text/event-stream" if answer.fixture.endswith(".sse") else "application/json"
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(content)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.append(FakeProvider(f"http://127.0.0.1:{server.server_address[1]}", wire))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state[0]
    finally:
        server.shutdown()
        server.server_close()
