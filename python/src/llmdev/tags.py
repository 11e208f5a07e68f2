"""The `x-llmdev-*` request headers: tags (`k=v,k2=v2`) and the prompt version (`name@version`).
Same grammar as the sidecar's parser and the TypeScript client (src/client/tags.ts): tag keys of
letters, digits and `_.:/-` (at most 64), values without commas (at most 256), at most 32 tags."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .errors import UsageError

Tags = Mapping[str, str]

TAGS_HEADER = "x-llmdev-tags"
PROMPT_HEADER = "x-llmdev-prompt"

_TAG_KEY = re.compile(r"[A-Za-z0-9_.:/-]{1,64}")
_MAX_TAGS = 32
_MAX_VALUE = 256
_PROMPT_PART = re.compile(r"[^@\s]{1,128}")
_TAGS_HINT = (
    'Tags are short labels like {"feature": "search", "run": "2024-06-01"}: keys of letters, digits and _.:/-, '
    "values without commas."
)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def tags_problem(tags: Tags) -> str | None:
    """Why a tag set cannot be sent, or None when it can."""
    if len(tags) > _MAX_TAGS:
        return f"at most {_MAX_TAGS} tags, got {len(tags)}"
    for key, value in tags.items():
        if not isinstance(key, str) or not _TAG_KEY.fullmatch(key):
            return f"tag key {_quoted(str(key))}: expected 1 to 64 letters, digits or _.:/-"
        if not isinstance(value, str) or "," in value or len(value) > _MAX_VALUE:
            return f"tag {key}: expected a text value without commas, at most {_MAX_VALUE} characters"
        if value.strip() != value:
            return f"tag {key}: the value has leading or trailing spaces"
    return None


def format_tags(tags: Tags) -> str:
    """The header value for tags; raises UsageError for tags the sidecar would reject."""
    problem = tags_problem(tags)
    if problem:
        raise UsageError(f"llmdev tags: {problem}", hint=_TAGS_HINT)
    return ",".join(f"{key}={value}" for key, value in tags.items())


def parse_tags(text: str) -> dict[str, str] | str:
    """`k=v,k2=v2` → tags, or an error message."""
    tags: dict[str, str] = {}
    for pair in text.split(","):
        if pair.strip() == "":
            continue
        if "=" not in pair:
            return "expected key=value pairs separated by commas"
        key, _, value = pair.partition("=")
        tags[key.strip()] = value.strip()
    return tags_problem(tags) or tags


def merge_tags(*sets: Tags | None) -> dict[str, str]:
    merged: dict[str, str] = {}
    for tags in sets:
        if tags:
            merged.update(tags)
    return merged


def format_prompt_id(name: str, version: str) -> str:
    """`name@version`, checked against what the sidecar accepts."""
    if not _PROMPT_PART.fullmatch(name) or not _PROMPT_PART.fullmatch(version):
        raise UsageError(
            f"llmdev prompt id {_quoted(f'{name}@{version}')} is not name@version",
            hint='Prompt names and versions are 1 to 128 characters without "@" or spaces.',
        )
    return f"{name}@{version}"
