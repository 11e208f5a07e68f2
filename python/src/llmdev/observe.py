"""The httpx transports given to the SDKs in direct mode (as src/client/observe-fetch.ts): they
call the provider itself and report each billed call's usage, without delaying or failing it. A
JSON answer is read as the SDK reads it; a stream passes through event by event while its usage is
collected. Like the sidecar, an OpenAI chat/completions stream gets `stream_options.include_usage`
when the caller did not ask for it, and the extra usage chunk is hidden from that caller.
`x-llmdev-*` headers (tags, prompt) are taken off before the request leaves and go into the record."""

from __future__ import annotations

import codecs
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from types import ModuleType
from typing import Any

import httpx

from .redact import redact
from .reporter import UsageReport
from .settings import Provider
from .tags import PROMPT_HEADER, TAGS_HEADER, parse_tags
from .token_estimate import estimate_input_tokens
from .tokenizer import count_text_tokens
from .usage import ApiKind, Extracted, TokenUsage, api_kind_for_path, extract_response, extract_stream, with_estimate

PARAM_KEYS = (
    "temperature", "top_p", "top_k", "seed", "max_tokens", "max_completion_tokens", "max_output_tokens",
    "frequency_penalty", "presence_penalty", "stop", "stop_sequences", "n", "reasoning_effort", "reasoning",
    "thinking", "service_tier",
)  # fmt: skip
_USAGE_OPT_IN = ("openai.chat", "openai.completions")
_MAX_ERROR = 4096


def pick_params(body: Mapping[str, Any]) -> dict[str, Any]:
    """The reproducibility parameters present in a request body (src/usage/params.ts)."""
    return {key: body[key] for key in PARAM_KEYS if body.get(key) is not None}


def iso_now() -> str:
    """UTC with milliseconds and `Z`, as JavaScript's toISOString() writes it."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class _Call:
    kind: ApiKind
    endpoint: str
    body: dict[str, Any]
    ts: str
    started: float
    tags: dict[str, str]
    prompt: str | None
    hide_usage_chunk: bool
    ttfb: float | None = None
    done: bool = field(default=False)


class _Observer:
    """What both transports share: preparing the request and building the record."""

    def __init__(
        self,
        provider: Provider,
        report: Callable[[UsageReport], None],
        *,
        clock: Callable[[], float] = time.perf_counter,
        now: Callable[[], str] = iso_now,
        known_secrets: tuple[str, ...] = (),
        on_error: Callable[[BaseException], None] = lambda error: None,
    ) -> None:
        self.provider, self.report, self.clock, self.now = provider, report, clock, now
        self.known_secrets, self.on_error = known_secrets, on_error

    def prepare(self, request: Any, http: ModuleType) -> tuple[Any, _Call | None]:
        tags_header = request.headers.get(TAGS_HEADER)
        prompt = request.headers.get(PROMPT_HEADER) or None
        for name in [k for k in request.headers if k.lower().startswith("x-llmdev-")]:
            del request.headers[name]
        endpoint = endpoint_path(request.url.path)
        kind = api_kind_for_path(request.method, endpoint)
        try:
            body = _json_object(request.content) if kind is not None else None
        except http.RequestNotRead:  # a streamed upload: not a billed call we observe
            body = None
        if kind is None or body is None:
            return request, None
        options = body.get("stream_options")
        inject = body.get("stream") is True and kind in _USAGE_OPT_IN and not (
            isinstance(options, dict) and options.get("include_usage") is True
        )
        request.headers["accept-encoding"] = "identity"  # the observer reads the bytes as they come
        tags = parse_tags(tags_header) if tags_header else {}
        call = _Call(
            kind, endpoint, body, self.now(), self.clock(), tags if isinstance(tags, dict) else {}, prompt, inject
        )
        if not inject:
            return request, call
        sent = {**body, "stream_options": {**(options if isinstance(options, dict) else {}), "include_usage": True}}
        return _rebuild(http, request, json.dumps(sent, separators=(",", ":")).encode()), call

    def failed(self, call: _Call, error: BaseException) -> None:
        # No answer: nothing was billed that we could know of; the failed attempt is still logged.
        self._safely(lambda: self.report(self.record(call, status=502, error=error)))

    def respond(self, http: ModuleType, call: _Call, response: Any, stream_class: Callable[..., Any]) -> Any:
        """The response handed to the caller: its body streams through a _Tap that makes the record."""
        hide = call.hide_usage_chunk and _is_stream(response)
        tap = _Tap(self.answered(call, response), hide)
        return _wrap(http, response, stream_class(response.stream, tap))

    def answered(self, call: _Call, response: Any) -> Callable[[bytes, BaseException | None], None]:
        """The function to call with the whole body once it has been read (or broke off)."""
        call.ttfb = self.clock() - call.started
        streaming = _is_stream(response) and response.is_success

        def finish(raw: bytes, interruption: BaseException | None) -> None:
            if call.done:
                return
            call.done = True
            self._safely(lambda: self.report(self._outcome(call, response.status_code, raw, streaming, interruption)))

        return finish

    def _outcome(
        self, call: _Call, status: int, raw: bytes, streaming: bool, interruption: BaseException | None
    ) -> UsageReport:
        text = raw.decode("utf-8", errors="replace")
        if streaming:
            found = extract_stream(call.kind, text)
            usage, estimated = self._stream_usage(call, found)
            broken = interruption is not None
            error: object = interruption if broken else found.error
            return self.record(
                call, status=499 if broken else status, usage=usage, estimated=estimated, found=found, error=error
            )
        found = extract_response(call.kind, _json_value(text))
        success = 200 <= status < 300
        # A successful answer without usage (unusual): estimated, never a silent zero.
        estimated = found.usage is None and success
        if estimated:
            model = found.model or str(call.body.get("model") or "")
            usage = TokenUsage(estimate_input_tokens(call.kind, call.body), count_text_tokens(found.output_text, model))
        else:
            usage = found.usage or TokenUsage()
        return self.record(
            call, status=status, usage=usage, estimated=estimated, found=found, error=None if success else error_text(text)
        )

    def _stream_usage(self, call: _Call, found: Extracted) -> tuple[TokenUsage, bool]:
        if found.usage is not None:
            return found.usage, False
        model = found.model or str(call.body.get("model") or "")
        output = count_text_tokens(found.output_text, model) + count_text_tokens(found.extra_output_text, model)
        if found.partial_usage is not None:
            return with_estimate(found.partial_usage, output), True
        return TokenUsage(estimate_input_tokens(call.kind, call.body), output), True

    def record(
        self,
        call: _Call,
        *,
        status: int,
        usage: TokenUsage | None = None,
        estimated: bool = False,
        found: Extracted | None = None,
        error: object = None,
    ) -> dict[str, Any]:
        requested = call.body.get("model")
        response_model = found.model if found else None
        record: dict[str, Any] = {
            "ts": call.ts,
            "provider": self.provider,
            "model": requested if isinstance(requested, str) and requested else response_model or "unknown",
            "endpoint": call.endpoint,
            "stream": call.body.get("stream") is True,
            "usage": (usage or TokenUsage()).as_record(),
            "latencyMs": _ms(self.clock() - call.started),
            "status": status,
            "estimated": estimated,
            "tags": call.tags,
            "params": pick_params(call.body),
        }
        if call.ttfb is not None:
            record["ttfbMs"] = _ms(call.ttfb)
        if error is not None:
            record["error"] = redact(describe_error(error), self.known_secrets)
        if call.prompt is not None:
            record["prompt"] = call.prompt
        if found and found.system_fingerprint:
            record["systemFingerprint"] = found.system_fingerprint
        if response_model:
            record["responseModel"] = response_model
        return record

    def _safely(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as error:  # the observation must never break the caller's request
            self.on_error(error)


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
    chunk = _json_object(data.encode())
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


def _ms(seconds: float) -> float:
    """Milliseconds to 3 decimals, as the TypeScript client records latencies."""
    return round(seconds * 1000, 3)


def endpoint_path(path: str) -> str:
    """`/v1/chat/completions` from any base path (`/v1/…`, `/proxy/v1/…`)."""
    at = path.rfind("/v1/")
    return path if at == -1 else path[at:]


def _json_value(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(content)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def error_text(text: str) -> str:
    body = _json_value(text)
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return (message if isinstance(message, str) else text)[:_MAX_ERROR]


def describe_error(error: object) -> str:
    if isinstance(error, str):
        return error[:_MAX_ERROR]
    if isinstance(error, BaseException):
        text = ": ".join(part for part in (error.__class__.__name__, str(error)) if part)
        return (text or "request failed")[:_MAX_ERROR]
    return "request failed"


def make_observer(
    provider: Provider, report: Callable[[UsageReport], None], *, known_secrets: tuple[str, ...] = (), **options: Any
) -> _Observer:
    return _Observer(provider, report, known_secrets=known_secrets, **options)
