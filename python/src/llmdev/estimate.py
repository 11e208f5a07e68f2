"""Pre-flight estimates: what a call will cost before it is made, counted as the sidecar counts
(token_estimate.py) and priced with the same price data as the sidecar: the `genai-prices` release
pinned in pyproject.toml is the one the sidecar's npm `@pydantic/genai-prices` has (the shared test
vectors in test/vectors/ fail when they differ). OpenAI counts are exact for plain chat messages;
Claude has no public tokenizer, so its counts are approximations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import genai_prices

from .errors import UsageError
from .settings import Provider
from .token_estimate import anthropic_input_tokens, openai_messages_tokens

#: Which price data this client uses, e.g. `genai-prices@0.1.8` (the sidecar reports the same form).
PRICING_DATA_VERSION = f"genai-prices@{genai_prices.__version__}"

_ANTHROPIC_MODEL = re.compile(r"^(anthropic[./:])?claude", re.IGNORECASE)


@dataclass(frozen=True)
class CostEstimate:
    provider: Provider
    model: str
    input_tokens: int
    max_output_tokens: int
    #: USD for the input alone; None when the model has no price.
    input_cost_usd: float | None
    #: USD when the answer uses all of max_output_tokens (no cache discount): the most the call costs.
    max_cost_usd: float | None
    #: e.g. `genai-prices@0.1.8`; None when unpriced.
    pricing_source: str | None
    #: The price entry used, e.g. `gpt-4o` for `gpt-4o-2024-08-06`.
    resolved_model: str | None


def provider_of_model(model: str) -> Provider:
    return "anthropic" if _ANTHROPIC_MODEL.match(model) else "openai"


def estimate_tokens(
    messages: object, model: str, *, system: object = None, provider: Provider | None = None
) -> int:
    """Input tokens of chat messages (OpenAI or Anthropic format), including per-message overhead."""
    if (provider or provider_of_model(model)) == "anthropic":
        body: dict[str, Any] = {"model": model, "messages": messages}
        if system is not None:
            body["system"] = system
        return anthropic_input_tokens(body)
    return openai_messages_tokens(messages, model)


def estimate_cost(
    model: str,
    *,
    max_output_tokens: int,
    messages: object = None,
    system: object = None,
    input_tokens: int | None = None,
    provider: Provider | None = None,
    at: datetime | None = None,
) -> CostEstimate:
    """Cost of a call of `model` with `messages` (or `input_tokens` you already counted)."""
    chosen = provider or provider_of_model(model)
    if input_tokens is None and messages is None:
        raise UsageError(
            "estimate_cost needs messages or input_tokens",
            hint="Pass estimate_cost(model, messages=..., max_output_tokens=...) or input_tokens=... instead of messages.",
        )
    counted = input_tokens if input_tokens is not None else estimate_tokens(messages, model, system=system, provider=chosen)
    output = max(0, int(max_output_tokens))
    input_only = price_usage(chosen, model, {"input_tokens": counted}, at)
    full = price_usage(chosen, model, {"input_tokens": counted, "output_tokens": output}, at)
    return CostEstimate(
        provider=chosen,
        model=model,
        input_tokens=counted,
        max_output_tokens=output,
        input_cost_usd=input_only.cost_usd,
        max_cost_usd=full.cost_usd,
        pricing_source=full.pricing_source,
        resolved_model=full.resolved_model,
    )


@dataclass(frozen=True)
class PriceQuote:
    #: USD; None when the model is unpriced (never a silent 0).
    cost_usd: float | None
    pricing_source: str | None
    resolved_model: str | None


_UNPRICED = PriceQuote(None, None, None)


def price_usage(
    provider: Provider, model: str, tokens: Mapping[str, int], at: datetime | None = None
) -> PriceQuote:
    """Prices genai-prices usage fields (`input_tokens` as the total, `cache_read_tokens`,
    `cache_write_tokens`, `output_tokens`) for `model`; unpriced when the data has no such model."""
    try:
        usage = genai_prices.Usage(**{key: max(0, value) for key, value in tokens.items()})
        found = genai_prices.calc_price(usage, model, provider_id=provider, genai_request_timestamp=at)
    except (LookupError, ValueError):
        return _UNPRICED
    total = found.total_price
    if not isinstance(total, Decimal) or not total.is_finite():
        return _UNPRICED
    return PriceQuote(max(0.0, float(total)), PRICING_DATA_VERSION, found.model.id)
