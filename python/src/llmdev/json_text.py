"""Reading JSON text that may not be JSON: provider answers and sidecar errors."""

from __future__ import annotations

import json
from typing import Any


def parse_json(data: str | bytes) -> object:
    """The value, or None when `data` is not JSON."""
    try:
        parsed: object = json.loads(data)
    except ValueError:
        return None
    return parsed


def json_object(data: str | bytes) -> dict[str, Any] | None:
    value = parse_json(data)
    return value if isinstance(value, dict) else None


def error_message(text: str) -> str | None:
    """`error.message` of an OpenAI-, Anthropic- or sidecar-style error body, else None."""
    body = json_object(text)
    error = body.get("error") if body else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None
