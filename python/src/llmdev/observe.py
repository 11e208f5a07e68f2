"""Direct mode's observer (as src/client/observe-fetch.ts): prepares each billed request (the
`x-llmdev-*` headers come off and go into the record; an OpenAI chat/completions stream gets
`stream_options.include_usage` when the caller did not ask for it, as the sidecar does) and turns
the provider's answer into the usage record reported to the sidecar, without ever delaying or
failing the call. The transports that carry the bytes are in transports.py."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import ModuleType
from typing import Any

from .redact import redact
from .reporter import UsageReport
from .settings import Provider
from .tags import PROMPT_HEADER, TAGS_HEADER, parse_tags
from .token_estimate import estimate_input_tokens
from .tokenizer import count_text_tokens
from .json_text import error_message, json_object, parse_json
from .transports import _is_stream, _rebuild, _Tap, _wrap
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
        """The request to send, and the call to record (None: not a billed call, send it as it is)."""
        try:
            return self._prepare(request, http)
        except Exception as error:  # observing must never fail the caller's request
            self.on_error(error)
            return request, None

    def _prepare(self, request: Any, http: ModuleType) -> tuple[Any, _Call | None]:
        tags_header = request.headers.get(TAGS_HEADER)
        prompt = request.headers.get(PROMPT_HEADER) or None
        for name in [k for k in request.headers if k.lower().startswith("x-llmdev-")]:
            del request.headers[name]
        endpoint = endpoint_path(request.url.path)
        kind = api_kind_for_path(request.method, endpoint)
        try:
            body = json_object(request.content) if kind is not None else None
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
        found = extract_response(call.kind, parse_json(text))
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


def _ms(seconds: float) -> float:
    """Milliseconds to 3 decimals, as the TypeScript client records latencies."""
    return round(seconds * 1000, 3)


def endpoint_path(path: str) -> str:
    """`/v1/chat/completions` from any base path (`/v1/…`, `/proxy/v1/…`)."""
    at = path.rfind("/v1/")
    return path if at == -1 else path[at:]


def error_text(text: str) -> str:
    return (error_message(text) or text)[:_MAX_ERROR]


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
