"""Token counting with tiktoken, choosing the encoding as the sidecar does (src/usage/tokenizer.ts).
Claude has no public tokenizer: cl100k_base is the approximation (it yields more tokens than
o200k_base, closer to Claude's counts). Special tokens are counted as ordinary text.

tiktoken fetches each vocabulary once and keeps it in its cache (`TIKTOKEN_CACHE_DIR`); where that
download cannot happen, a cache made beforehand must be there (see docs/python.md)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

import tiktoken

from .errors import LlmdevError

EncodingName = Literal["o200k_base", "cl100k_base"]

_CL100K = (re.compile(r"gpt-4(?![o.])"), re.compile(r"gpt-3\.?5"))


def encoding_for_model(model: str) -> EncodingName:
    model_id = model.strip().lower()
    if model_id.startswith("ft:"):
        model_id = model_id[3:]
    model_id = model_id[model_id.rfind("/") + 1 :]
    if (
        any(pattern.match(model_id) for pattern in _CL100K)
        or model_id.startswith("text-embedding-")
        or model_id in ("davinci-002", "babbage-002")
        or "claude" in model_id
    ):
        return "cl100k_base"
    return "o200k_base"  # gpt-4o, gpt-4.1, gpt-5, o-series, chatgpt-*, and unknown modern models


@lru_cache(maxsize=None)
def _encoding(name: EncodingName) -> tiktoken.Encoding:
    try:
        return tiktoken.get_encoding(name)
    except Exception as error:  # tiktoken raises whatever its download raised
        raise LlmdevError(
            f"cannot load the tiktoken vocabulary {name} ({error.__class__.__name__}: {error})",
            hint="tiktoken downloads it once into TIKTOKEN_CACHE_DIR: allow that download, or point "
            "TIKTOKEN_CACHE_DIR at a folder holding it (`make python-deps` makes one in python/.venv).",
        ) from error


def count_tokens(text: str, encoding: EncodingName) -> int:
    return 0 if text == "" else len(_encoding(encoding).encode_ordinary(text))


def count_text_tokens(text: str, model: str) -> int:
    return count_tokens(text, encoding_for_model(model))
