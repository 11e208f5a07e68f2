"""`llmdev`: the Python client for code in an llmdev workspace, the counterpart of the TypeScript
`llmdev/client`. Settings from the environment and secret files (secrets masked), stock OpenAI and
Anthropic SDK clients wired to the usage-logger sidecar (or, in direct mode, to the provider with
usage reported to the sidecar), token and cost estimates with the sidecar's own price data,
versioned prompt files, tags, the usage summary, and replay of recorded calls."""

from .clients import (
    PromptRef,
    call_options,
    create_anthropic,
    create_async_anthropic,
    create_async_openai,
    create_openai,
    flush_usage,
)
from .errors import ConfigError, ConfigIssue, FileError, LlmdevError, SecretError, SidecarError, UsageError
from .estimate import PRICING_DATA_VERSION, CostEstimate, estimate_cost, estimate_tokens, provider_of_model
from .observe import make_observer
from .transports import Transports, transports
from .prompts import Prompt, PromptMessage, load_prompt, parse_prompt
from .replay import CallView, ReplayResult, replay_call
from .reporter import LlmdevUsageWarning, ReporterStats, UsageReporter
from .secret import SECRET_MASK, Secret, SecretMaskingFilter
from .settings import (
    DEFAULT_MODELS,
    DEFAULT_SIDECAR_URL,
    ClientSettings,
    ProviderAccess,
    load_config,
    model_for,
)
from .sidecar_api import SidecarAccess, StoredCall, get_stored_call, get_usage_summary
from .tags import PROMPT_HEADER, TAGS_HEADER, format_tags, parse_tags
from .usage import TokenUsage

__all__ = [
    "DEFAULT_MODELS",
    "DEFAULT_SIDECAR_URL",
    "PRICING_DATA_VERSION",
    "PROMPT_HEADER",
    "SECRET_MASK",
    "TAGS_HEADER",
    "CallView",
    "ClientSettings",
    "ConfigError",
    "ConfigIssue",
    "CostEstimate",
    "FileError",
    "LlmdevError",
    "LlmdevUsageWarning",
    "Prompt",
    "PromptMessage",
    "PromptRef",
    "ProviderAccess",
    "ReplayResult",
    "ReporterStats",
    "Secret",
    "SecretError",
    "SecretMaskingFilter",
    "SidecarAccess",
    "SidecarError",
    "StoredCall",
    "TokenUsage",
    "Transports",
    "UsageError",
    "UsageReporter",
    "call_options",
    "create_anthropic",
    "create_async_anthropic",
    "create_async_openai",
    "create_openai",
    "estimate_cost",
    "estimate_tokens",
    "flush_usage",
    "format_tags",
    "get_stored_call",
    "get_usage_summary",
    "load_config",
    "load_prompt",
    "make_observer",
    "model_for",
    "parse_prompt",
    "parse_tags",
    "provider_of_model",
    "replay_call",
    "transports",
]
