"""Input-token estimates of chat requests, counted as the sidecar counts them
(src/usage/estimate.ts): OpenAI chat messages with the OpenAI cookbook's per-message overheads
(exact for plain messages), Anthropic messages with the same overheads and fixed sizes for images
and the tool-use prompt (approximations: Claude has no public tokenizer). Never raises on odd
shapes: what text there is gets counted."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .tokenizer import EncodingName, count_tokens, encoding_for_model

Count = Callable[[str], int]

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
OPENAI_IMAGE_LOW = 85
OPENAI_IMAGE = 765
ANTHROPIC_IMAGE = 1600
#: Anthropic's hidden tool-use system prompt (Claude 4 family, tool_choice auto).
ANTHROPIC_TOOL_PROMPT = 346


def _counter(model: str) -> Count:
    name: EncodingName = encoding_for_model(model)
    return lambda text: count_tokens(text, name)


def _objects(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def js_json(value: object) -> str:
    """JSON text as JavaScript's JSON.stringify writes it (compact), so counts match the sidecar's."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def openai_messages_tokens(messages: object, model: str) -> int:
    """Prompt tokens of OpenAI chat `messages`, including the reply priming (OpenAI cookbook)."""
    count = _counter(model)
    items = _objects(messages)
    if not items:
        return 0
    return REPLY_PRIMING + sum(TOKENS_PER_MESSAGE + _chat_message_tokens(item, count) for item in items)


def _chat_message_tokens(message: Mapping[str, Any], count: Count) -> int:
    total = 0
    for key, value in message.items():
        if isinstance(value, str):
            total += count(value) + (TOKENS_PER_NAME if key == "name" else 0)
        elif key == "content":
            total += _content_parts_tokens(value, count)
        elif key == "tool_calls":
            total += sum(_function_call_tokens(call.get("function"), count) for call in _objects(value))
        elif key == "function_call":
            total += _function_call_tokens(value, count)
    return total


def _function_call_tokens(fn: object, count: Count) -> int:
    if not isinstance(fn, Mapping):
        return 0
    return TOKENS_PER_MESSAGE + count(_text(fn.get("name"))) + count(_text(fn.get("arguments")))


def _content_parts_tokens(parts: object, count: Count) -> int:
    total = 0
    for part in _objects(parts):
        text = part.get("text") if isinstance(part.get("text"), str) else part.get("refusal")
        if isinstance(text, str):
            total += count(text)
        elif part.get("type") in ("image_url", "input_image"):
            image_url = part.get("image_url")
            detail = image_url.get("detail") if isinstance(image_url, Mapping) else None
            if not isinstance(detail, str):
                detail = part.get("detail")
            total += OPENAI_IMAGE_LOW if detail == "low" else OPENAI_IMAGE
    return total


def anthropic_input_tokens(body: Mapping[str, Any]) -> int:
    """Input tokens of an Anthropic Messages body: system, messages and tools."""
    count = _counter(_text(body.get("model")))
    system = body.get("system")
    total = REPLY_PRIMING + (count(system) if isinstance(system, str) else _anthropic_blocks_tokens(system, count))
    for message in _objects(body.get("messages")):
        content = message.get("content")
        total += TOKENS_PER_MESSAGE + (
            count(content) if isinstance(content, str) else _anthropic_blocks_tokens(content, count)
        )
    tools = _objects(body.get("tools"))
    for tool in tools:
        total += count(_text(tool.get("name"))) + count(_text(tool.get("description")))
        if "input_schema" in tool:
            total += count(js_json(tool["input_schema"]))
    return total + (ANTHROPIC_TOOL_PROMPT if tools else 0)


def _anthropic_blocks_tokens(blocks: object, count: Count) -> int:
    total = 0
    for block in _objects(blocks):
        kind = block.get("type")
        if kind == "text":
            total += count(_text(block.get("text")))
        elif kind == "thinking":
            total += count(_text(block.get("thinking")))
        elif kind == "image":
            total += ANTHROPIC_IMAGE
        elif kind == "tool_use":
            tool_input = block.get("input")
            total += count(_text(block.get("name"))) + count(js_json({} if tool_input is None else tool_input))
        elif kind == "tool_result":
            content = block.get("content")
            total += count(content) if isinstance(content, str) else _anthropic_blocks_tokens(content, count)
        elif kind == "document":
            source = block.get("source")
            if isinstance(source, Mapping) and source.get("type") == "text":
                total += count(_text(source.get("data")))
            elif isinstance(source, Mapping) and source.get("type") == "content":
                total += _anthropic_blocks_tokens(source.get("content"), count)
    return total


def estimate_input_tokens(kind: str, body: object) -> int:
    """Estimated input tokens of a request body for an API (`openai.chat`, `openai.responses`,
    `openai.embeddings`, `openai.completions`, `anthropic.messages`); 0 when it is not an object."""
    if not isinstance(body, Mapping):
        return 0
    model = _text(body.get("model"))
    count = _counter(model)
    if kind == "openai.chat":
        response_format = body.get("response_format")
        schema = response_format.get("json_schema") if isinstance(response_format, Mapping) else None
        tools = [t.get("function") for t in _objects(body.get("tools"))] + list(_objects(body.get("functions")))
        return (
            openai_messages_tokens(body.get("messages"), model)
            + _function_tools_tokens([t for t in tools if isinstance(t, Mapping)], count, model)
            + _schema_tokens(schema, count)
        )
    if kind == "openai.responses":
        text = body.get("text")
        fmt = text.get("format") if isinstance(text, Mapping) else None
        schema = fmt.get("schema") if isinstance(fmt, Mapping) else None
        tools = [t for t in _objects(body.get("tools")) if t.get("type") == "function"]
        return _responses_input_tokens(body, count) + _function_tools_tokens(tools, count, model) + _schema_tokens(schema, count)
    if kind == "openai.embeddings":
        return _prompt_tokens(body.get("input"), count)
    if kind == "openai.completions":
        return _prompt_tokens(body.get("prompt"), count) + count(_text(body.get("suffix")))
    if kind == "anthropic.messages":
        return anthropic_input_tokens(body)
    return 0


def _function_tools_tokens(tools: list[Mapping[str, Any]], count: Count, model: str) -> int:
    """Function definitions, per the OpenAI cookbook's formula (exact for flat parameter schemas)."""
    if not tools:
        return 0
    function_start = 7 if encoding_for_model(model) == "o200k_base" else 10
    total = 12  # end of the functions section
    for tool in tools:
        total += function_start + count(f"{_text(tool.get('name'))}:{_without_final_dot(_text(tool.get('description')))}")
        parameters = tool.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
        items = list(properties.items()) if isinstance(properties, Mapping) else []
        if items:
            total += 3
        for key, raw in items:
            prop = raw if isinstance(raw, Mapping) else {}
            total += 3
            enum = prop.get("enum")
            if isinstance(enum, list):
                total -= 3
                total += sum(3 + count(_js_string(item)) for item in enum)
            kind = prop.get("type")
            type_text = kind if isinstance(kind, str) else js_json("" if kind is None else kind)
            total += count(f"{key}:{type_text}:{_without_final_dot(_text(prop.get('description')))}")
    return total


def _js_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join("" if item is None else _js_string(item) for item in value)
    return "[object Object]" if isinstance(value, Mapping) else str(value)


def _without_final_dot(text: str) -> str:
    return text[:-1] if text.endswith(".") else text


def _schema_tokens(schema: object, count: Count) -> int:
    """A structured-output JSON schema, counted as its JSON text (an approximation)."""
    return 0 if schema is None else count(js_json(schema))


def _responses_input_tokens(body: Mapping[str, Any], count: Count) -> int:
    total = REPLY_PRIMING
    instructions = body.get("instructions")
    if isinstance(instructions, str):
        total += TOKENS_PER_MESSAGE + count("developer") + count(instructions)
    given = body.get("input")
    if isinstance(given, str):
        return total + TOKENS_PER_MESSAGE + count("user") + count(given)
    return total + sum(TOKENS_PER_MESSAGE + _responses_item_tokens(item, count) for item in _objects(given))


def _responses_item_tokens(item: Mapping[str, Any], count: Count) -> int:
    kind = item.get("type")
    if kind in ("function_call", "custom_tool_call"):
        arguments = item.get("arguments") if isinstance(item.get("arguments"), str) else item.get("input")
        return count(_text(item.get("name"))) + count(_text(arguments))
    if kind in ("function_call_output", "custom_tool_call_output"):
        output = item.get("output")
        return count(output) if isinstance(output, str) else _content_parts_tokens(output, count)
    if kind == "reasoning":
        return sum(count(_text(part.get("text"))) for part in _objects(item.get("summary")))
    content = item.get("content")
    role = count(_text(item.get("role")))
    return role + (count(content) if isinstance(content, str) else _content_parts_tokens(content, count))


def _prompt_tokens(prompt: object, count: Count) -> int:
    """Embeddings `input` / completions `prompt`: text, texts, token ids, or arrays of token ids."""
    if isinstance(prompt, str):
        return count(prompt)
    if not isinstance(prompt, list):
        return 0
    total = 0
    for item in prompt:
        if isinstance(item, str):
            total += count(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            total += 1
        elif isinstance(item, list):
            total += len(item)
    return total
