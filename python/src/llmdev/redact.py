"""Keeping secrets out of output (the rules of the sidecar's src/redact): known secret values are
replaced wherever they appear, and strings shaped like provider keys are masked even when their
value was never given."""

from __future__ import annotations

import re
from collections.abc import Iterable

KEY_PREFIX = "sk-"
KEY_PATTERNS = (
    re.compile(r"sk-ant-[A-Za-z0-9_-]{20,}"),
    re.compile(r"sk-proj-[A-Za-z0-9_-]{20,}"),
    re.compile(r"sk-(?!ant-|proj-)[A-Za-z0-9_-]{20,}"),
)
MASK = "[redacted]"
#: Shorter values would mask innocent text; real keys and tokens are long.
_MIN_SECRET = 8


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    for secret in known_secrets:
        if len(secret) >= _MIN_SECRET and secret in text:
            text = text.replace(secret, MASK)
    if KEY_PREFIX not in text:
        return text
    for pattern in KEY_PATTERNS:
        text = pattern.sub(MASK, text)
    return text
