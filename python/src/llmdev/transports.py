"""The httpx transports of direct mode: the SDK's http client sends through them, and each billed
call's response body streams through a tap that makes the usage record (observe.py) when the body
ends or breaks off, while the caller gets it event by event, less the usage chunk it did not ask
for. Built on the httpx flavour of the SDK's client (`httpx`, or the `httpx2` fork newer SDKs use):
a response stream must be an instance of that library's byte-stream classes."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

import httpx

from .json_text import json_object

if TYPE_CHECKING:
    from .observe import _Observer


class _UsageChunkFilter:
    """Frames SSE text and drops the usage-only chunk the caller did not ask for."""

    def __init__(self, hide: bool) -> None:
        self.hide = hide
        self.buffer = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def push(self, chunk: bytes) -> bytes:
        if not self.hide:
            return chunk
        self.buffer += self.decoder.decode(chunk).replace("\r\n", "\n")
        out: list[str] = []
        while (end := self.buffer.find("\n\n")) != -1:
            event, self.buffer = self.buffer[: end + 2], self.buffer[end + 2 :]
            if not _usage_only(event):
                out.append(event)
        return "".join(out).encode()

    def end(self) -> bytes:
        tail, self.buffer = self.buffer + self.decoder.decode(b"", final=True), ""
        return tail.encode() if self.hide and not _usage_only(tail) else b""


def _usage_only(event: str) -> bool:
    data = "\n".join(line[5:].lstrip(" ") for line in event.split("\n") if line.startswith("data:"))
    chunk = json_object(data)
    return chunk is not None and chunk.get("choices") == [] and isinstance(chunk.get("usage"), dict)


class _Tap:
    """What a response stream passes through: every byte is kept for the record, the caller gets
    them less the hidden usage chunk, and the record is made once, when the body ends or breaks off."""

    def __init__(self, finish: Callable[[bytes, BaseException | None], None], hide: bool) -> None:
        self.finish, self.seen, self.filter = finish, bytearray(), _UsageChunkFilter(hide)

    def push(self, chunk: bytes) -> bytes:
        self.seen += chunk
        return self.filter.push(chunk)

    def broke(self, error: BaseException) -> None:
        self.finish(bytes(self.seen), error)

    def end(self) -> bytes:
        tail = self.filter.end()
        self.finish(bytes(self.seen), None)
        return tail

    def closed(self) -> None:
        # After a full read finish() has run and this is a no-op: else the caller stopped reading.
        self.finish(bytes(self.seen), _Cancelled())


@dataclass(frozen=True)
class Transports:
    """The observing transports for one httpx flavour (`httpx`, or the `httpx2` fork newer SDKs use)."""

    #: For sync clients: `Client(transport=Transports.sync(observer))`.
    sync: Callable[..., Any]
    #: For async clients.
    asynchronous: Callable[..., Any]


@lru_cache(maxsize=None)
def transports(http: ModuleType = httpx) -> Transports:
    """The transport classes built on `http`'s base classes: a response stream must be an instance
    of the byte-stream class of the httpx its client comes from."""

    class ObservedStream(http.SyncByteStream):  # type: ignore[misc, name-defined]
        def __init__(self, inner: Any, tap: _Tap) -> None:
            self.inner, self.tap = inner, tap

        def __iter__(self) -> Iterator[bytes]:
            try:
                for chunk in self.inner:
                    if out := self.tap.push(chunk):
                        yield out
            except BaseException as error:
                self.tap.broke(error)
                raise
            if tail := self.tap.end():
                yield tail

        def close(self) -> None:
            self.tap.closed()
            self.inner.close()

    class AsyncObservedStream(http.AsyncByteStream):  # type: ignore[misc, name-defined]
        def __init__(self, inner: Any, tap: _Tap) -> None:
            self.inner, self.tap = inner, tap

        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for chunk in self.inner:
                    if out := self.tap.push(chunk):
                        yield out
            except BaseException as error:
                self.tap.broke(error)
                raise
            if tail := self.tap.end():
                yield tail

        async def aclose(self) -> None:
            self.tap.closed()
            await self.inner.aclose()

    class ObservingTransport(http.BaseTransport):  # type: ignore[misc, name-defined]
        def __init__(self, observer: _Observer, inner: Any = None) -> None:
            self.observer, self.inner = observer, inner or http.HTTPTransport()

        def handle_request(self, request: Any) -> Any:
            sent, call = self.observer.prepare(request, http)
            if call is None:
                return self.inner.handle_request(sent)
            try:
                response = self.inner.handle_request(sent)
            except Exception as error:
                self.observer.failed(call, error)
                raise
            return self.observer.respond(http, call, response, ObservedStream)

        def close(self) -> None:
            self.inner.close()

    class AsyncObservingTransport(http.AsyncBaseTransport):  # type: ignore[misc, name-defined]
        def __init__(self, observer: _Observer, inner: Any = None) -> None:
            self.observer, self.inner = observer, inner or http.AsyncHTTPTransport()

        async def handle_async_request(self, request: Any) -> Any:
            sent, call = self.observer.prepare(request, http)
            if call is None:
                return await self.inner.handle_async_request(sent)
            try:
                response = await self.inner.handle_async_request(sent)
            except Exception as error:
                self.observer.failed(call, error)
                raise
            return self.observer.respond(http, call, response, AsyncObservedStream)

        async def aclose(self) -> None:
            await self.inner.aclose()

    return Transports(ObservingTransport, AsyncObservingTransport)


class _Cancelled(Exception):
    def __str__(self) -> str:
        return "the stream was cancelled"


def _is_stream(response: Any) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "")


def _wrap(http: ModuleType, response: Any, stream: Any) -> Any:
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-length"]
    return http.Response(response.status_code, headers=headers, stream=stream, extensions=response.extensions)


def _rebuild(http: ModuleType, request: Any, content: bytes) -> Any:
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
    return http.Request(request.method, request.url, headers=headers, content=content, extensions=request.extensions)

