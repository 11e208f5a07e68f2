"""Provider answers → token usage, by the sidecar's rules (src/usage/normalize.ts, extract.ts,
sse.ts), so a direct call reported from Python is counted exactly as the sidecar counts a proxied
one. `input_tokens` is the total input INCLUDING cache reads and writes; `output_tokens` includes
reasoning. Anthropic's `input_tokens` excludes cache reads and writes, so they are added here.
Never raises: odd JSON yields no usage and empty text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

ApiKind = Literal["openai.chat", "openai.responses", "openai.embeddings", "openai.completions", "anthropic.messages"]

KIND_BY_PATH: Mapping[str, ApiKind] = {
    "/v1/chat/completions": "openai.chat",
    "/v1/responses": "openai.responses",
    "/v1/embeddings": "openai.embeddings",
    "/v1/completions": "openai.completions",
    "/v1/messages": "anthropic.messages",
}
_MAX_COUNT = 2**53 - 1


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_write_1h_tokens: int = 0
    reasoning_tokens: int = 0

    def as_record(self) -> dict[str, int]:
        """The record's camelCase form (`POST /v1/usage`)."""
        return {
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "cachedInputTokens": self.cached_input_tokens,
            "cacheWriteTokens": self.cache_write_tokens,
            "cacheWrite1hTokens": self.cache_write_1h_tokens,
            "reasoningTokens": self.reasoning_tokens,
        }


def api_kind_for_path(method: str, path: str) -> ApiKind | None:
    """The billed API a request goes to, or None (`GET /v1/models`, count_tokens, anything unknown)."""
    if method.upper() != "POST":
        return None
    bare = path.split("?", 1)[0]
    if len(bare) > 1 and bare.endswith("/"):
        bare = bare[:-1]
    return KIND_BY_PATH.get(bare)


def _object(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= _MAX_COUNT:
        return None
    return int(value + 0.5)  # JavaScript's Math.round for non-negative numbers


def _breakdowns(
    total_in: int, total_out: int, cached: int | None, write: int | None, write_1h: int | None, reasoning: int | None
) -> TokenUsage:
    cached_tokens = min(cached or 0, total_in)
    write_tokens = min(write or 0, total_in - cached_tokens)
    return TokenUsage(
        total_in, total_out, cached_tokens, write_tokens, min(write_1h or 0, write_tokens), min(reasoning or 0, total_out)
    )


def openai_usage(raw: object, input_field: str = "prompt_tokens", output_field: str = "completion_tokens") -> TokenUsage | None:
    """OpenAI totals with `<total>_details` breakdowns; the Responses API names them input/output_tokens."""
    usage = _object(raw)
    if usage is None:
        return None
    total_in, total_out = _count(usage.get(input_field)), _count(usage.get(output_field))
    if total_in is None and total_out is None:
        return None
    in_details = _object(usage.get(f"{input_field}_details")) or {}
    out_details = _object(usage.get(f"{output_field}_details")) or {}
    return _breakdowns(
        total_in or 0,
        total_out or 0,
        _count(in_details.get("cached_tokens")),
        _count(in_details.get("cache_write_tokens")),
        None,
        _count(out_details.get("reasoning_tokens")),
    )


@dataclass(frozen=True)
class AnthropicRawUsage:
    input: int | None = None
    cache_read: int | None = None
    cache_creation: int | None = None
    cache_creation_1h: int | None = None
    output: int | None = None
    thinking: int | None = None


def merge_anthropic_usage(previous: AnthropicRawUsage, raw: object) -> AnthropicRawUsage:
    """Overlays a usage object on `previous`: streams repeat usage cumulatively; the latest value wins."""
    usage = _object(raw)
    if usage is None:
        return previous
    by_ttl = _object(usage.get("cache_creation")) or {}
    write_5m, write_1h = _count(by_ttl.get("ephemeral_5m_input_tokens")), _count(by_ttl.get("ephemeral_1h_input_tokens"))
    creation = _count(usage.get("cache_creation_input_tokens"))
    if creation is None and (write_5m is not None or write_1h is not None):
        creation = (write_5m or 0) + (write_1h or 0)
    details = _object(usage.get("output_tokens_details")) or {}

    def pick(new: int | None, old: int | None) -> int | None:
        return old if new is None else new

    return AnthropicRawUsage(
        pick(_count(usage.get("input_tokens")), previous.input),
        pick(_count(usage.get("cache_read_input_tokens")), previous.cache_read),
        pick(creation, previous.cache_creation),
        pick(write_1h, previous.cache_creation_1h),
        pick(_count(usage.get("output_tokens")), previous.output),
        pick(_count(details.get("thinking_tokens")), previous.thinking),
    )


def anthropic_usage(raw: AnthropicRawUsage) -> TokenUsage | None:
    if raw.input is None and raw.output is None:
        return None
    read, creation = raw.cache_read or 0, raw.cache_creation or 0
    return _breakdowns(
        min((raw.input or 0) + read + creation, _MAX_COUNT), raw.output or 0, read, creation, raw.cache_creation_1h, raw.thinking
    )


@dataclass
class Extracted:
    """What an answer tells: usage (None when it had none), identity and the assistant's text."""

    usage: TokenUsage | None = None
    model: str | None = None
    system_fingerprint: str | None = None
    output_text: str = ""
    #: Billed text that is not the answer (tool-call arguments, thinking), for estimating a broken stream.
    extra_output_text: str = ""
    #: Usage an unfinished Anthropic stream had reported (exact input, provisional output).
    partial_usage: TokenUsage | None = None
    error: str | None = None
    _anthropic: AnthropicRawUsage = field(default_factory=AnthropicRawUsage, repr=False)


def extract_response(kind: ApiKind, body: object) -> Extracted:
    """Usage and identity of a complete JSON answer."""
    root = _object(body)
    if root is None:
        return Extracted()
    found = Extracted(model=_string(root.get("model")), system_fingerprint=_string(root.get("system_fingerprint")))
    if kind in ("openai.chat", "openai.completions", "openai.embeddings"):
        found.usage = openai_usage(root.get("usage"))
        choices = root.get("choices")
        first = _object(choices[0]) if isinstance(choices, list) and choices else None
        if kind == "openai.completions":
            found.output_text = _string((first or {}).get("text")) or ""
        elif kind == "openai.chat":
            message = _object((first or {}).get("message")) or {}
            content = message.get("content")
            found.output_text = (
                content if isinstance(content, str) else text_of_blocks(content, "text") if isinstance(content, list) else _string(message.get("refusal")) or ""
            )
    elif kind == "openai.responses":
        found.usage = openai_usage(root.get("usage"), "input_tokens", "output_tokens")
        output = root.get("output")
        items = output if isinstance(output, list) else []
        found.output_text = "".join(
            text_of_blocks(item.get("content"), "output_text") for item in items if _object(item) and item.get("type") == "message"
        )
    else:
        found.usage = anthropic_usage(merge_anthropic_usage(AnthropicRawUsage(), root.get("usage")))
        found.output_text = text_of_blocks(root.get("content"), "text")
    return found


def text_of_blocks(blocks: object, kind: str) -> str:
    if not isinstance(blocks, list):
        return ""
    return "".join(b["text"] for b in blocks if _object(b) and b.get("type") == kind and isinstance(b.get("text"), str))


def sse_events(text: str) -> list[tuple[str | None, str]]:
    """(event, data) of each event of an SSE body; events without data are left out."""
    events: list[tuple[str | None, str]] = []
    for block in text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n"):
        name: str | None = None
        data: list[str] = []
        for line in block.split("\n"):
            key, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if key == "event":
                name = value
            elif key == "data":
                data.append(value)
        if data:
            events.append((name, "\n".join(data)))
    return events


def extract_stream(kind: ApiKind, text: str) -> Extracted:
    """Usage, identity and text of a streamed answer (its SSE body as far as it got)."""
    found = Extracted()
    final_anthropic = False
    for name, data in sse_events(text):
        event = _parse(data)
        if event is None:
            continue
        if kind == "anthropic.messages":
            final_anthropic = _anthropic_event(found, name, event) or final_anthropic
        elif kind == "openai.responses":
            _responses_event(found, name, event)
        else:
            _openai_chunk(kind, found, event)
    if kind == "anthropic.messages":
        reported = anthropic_usage(found._anthropic)
        found.usage, found.partial_usage = (reported, None) if final_anthropic else (None, reported)
    return found


def _parse(data: str) -> Mapping[str, Any] | None:
    if not data.startswith("{"):
        return None
    try:
        return _object(json.loads(data))
    except ValueError:
        return None


def _identify(found: Extracted, source: Mapping[str, Any] | None) -> None:
    if source is not None:
        found.model = _string(source.get("model")) or found.model
        found.system_fingerprint = _string(source.get("system_fingerprint")) or found.system_fingerprint


def _error_message(value: object) -> str | None:
    error = _object(value)
    return None if error is None else _string(error.get("message")) or _string(error.get("type")) or "error"


def _openai_chunk(kind: ApiKind, found: Extracted, chunk: Mapping[str, Any]) -> None:
    _identify(found, chunk)
    found.error = _error_message(chunk.get("error")) or found.error
    found.usage = openai_usage(chunk.get("usage")) or found.usage
    choices = chunk.get("choices")
    for choice in choices if isinstance(choices, list) else []:
        if not _object(choice):
            continue
        first = (choice.get("index") or 0) == 0

        def add(text: object, visible: bool) -> None:
            if isinstance(text, str):
                if visible and first:
                    found.output_text += text
                else:
                    found.extra_output_text += text

        if kind == "openai.completions":
            add(choice.get("text"), True)
            continue
        delta = _object(choice.get("delta")) or {}
        add(delta.get("content"), True)
        add(delta.get("refusal"), True)
        add(delta.get("reasoning_content"), False)
        for call in delta.get("tool_calls") or []:
            fn = _object((_object(call) or {}).get("function")) or {}
            add(fn.get("name"), False)
            add(fn.get("arguments"), False)


_RESPONSES_EXTRA = {
    "response.function_call_arguments.delta",
    "response.custom_tool_call_input.delta",
    "response.reasoning_text.delta",
    "response.reasoning_summary_text.delta",
}


def _responses_event(found: Extracted, name: str | None, event: Mapping[str, Any]) -> None:
    kind = _string(event.get("type")) or name
    response = _object(event.get("response"))
    if response is not None:
        _identify(found, response)
        found.usage = openai_usage(response.get("usage"), "input_tokens", "output_tokens") or found.usage
        found.error = _error_message(response.get("error")) or found.error
    if kind in ("response.output_text.delta", "response.refusal.delta"):
        found.output_text += _string(event.get("delta")) or ""
    elif kind in _RESPONSES_EXTRA:
        found.extra_output_text += _string(event.get("delta")) or ""
    elif kind == "error":
        found.error = _string(event.get("message")) or _error_message(event.get("error")) or "error"


def _anthropic_event(found: Extracted, name: str | None, event: Mapping[str, Any]) -> bool:
    """Returns True for the event that carries final usage (`message_delta`)."""
    kind = _string(event.get("type")) or name
    if kind == "message_start":
        message = _object(event.get("message"))
        _identify(found, message)
        found._anthropic = merge_anthropic_usage(found._anthropic, (message or {}).get("usage"))
    elif kind == "content_block_start":
        block = _object(event.get("content_block")) or {}
        if block.get("type") == "text":
            found.output_text += _string(block.get("text")) or ""
        elif block.get("type") == "tool_use":
            found.extra_output_text += _string(block.get("name")) or ""
    elif kind == "content_block_delta":
        delta = _object(event.get("delta")) or {}
        kinds = {"text_delta": "text", "thinking_delta": "thinking", "input_json_delta": "partial_json"}
        key = kinds.get(str(delta.get("type")))
        if key == "text":
            found.output_text += _string(delta.get("text")) or ""
        elif key is not None:
            found.extra_output_text += _string(delta.get(key)) or ""
    elif kind == "message_delta" and _object(event.get("usage")) is not None:
        found._anthropic = merge_anthropic_usage(found._anthropic, event.get("usage"))
        return True
    elif kind == "error":
        found.error = _error_message(event.get("error")) or "error"
    return False


def with_estimate(usage: TokenUsage, output_tokens: int) -> TokenUsage:
    return replace(usage, output_tokens=max(usage.output_tokens, output_tokens))
