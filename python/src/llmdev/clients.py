"""Stock `openai` and `anthropic` SDK clients (sync and async), set up from the client settings as
the TypeScript client does (src/client/clients.ts):
- proxy route (default): pointed at the sidecar with the sidecar token as API key; the sidecar
  holds the real key and logs every call;
- direct route: pointed at the provider with the real key, through an httpx transport that reports
  each call's usage to the sidecar in the background (observe.py, reporter.py).
Timeouts and retries are the SDKs' own (exponential backoff with jitter that honours `retry-after`),
set from LLM_TIMEOUT and LLM_MAX_RETRIES. Default tags go on every call; `call_options` adds
per-call tags and the prompt version."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, Union

from .errors import SecretError
from .observe import make_observer
from .transports import transports
from .reporter import ReporterStats, UsageReporter
from .secret import Secret
from .settings import ClientSettings, Provider, load_config
from .tags import PROMPT_HEADER, TAGS_HEADER, Tags, format_tags, merge_tags

if TYPE_CHECKING:
    import anthropic
    import openai

CACHE_HEADER = "x-llmdev-cache"
class HasPromptId(Protocol):
    @property
    def id(self) -> str: ...


#: Anything with a prompt id: a loaded Prompt, or `name@version` itself.
PromptRef = Union[str, HasPromptId]

_client_tags: weakref.WeakKeyDictionary[object, dict[str, str]] = weakref.WeakKeyDictionary()
_shared_reporters: dict[tuple[str, str], UsageReporter] = {}


def create_openai(
    *, settings: ClientSettings | None = None, tags: Tags | None = None, reporter: UsageReporter | None = None, **sdk: Any
) -> openai.OpenAI:
    """An `openai.OpenAI` client wired to llmdev; `sdk` keywords go to the SDK (they win)."""
    import openai

    made: openai.OpenAI = _create("openai", openai.OpenAI, openai.DefaultHttpxClient, settings, tags, reporter, sdk)
    return made


def create_async_openai(
    *, settings: ClientSettings | None = None, tags: Tags | None = None, reporter: UsageReporter | None = None, **sdk: Any
) -> openai.AsyncOpenAI:
    import openai

    made: openai.AsyncOpenAI = _create(
        "openai", openai.AsyncOpenAI, openai.DefaultAsyncHttpxClient, settings, tags, reporter, sdk
    )
    return made


def create_anthropic(
    *, settings: ClientSettings | None = None, tags: Tags | None = None, reporter: UsageReporter | None = None, **sdk: Any
) -> anthropic.Anthropic:
    """An `anthropic.Anthropic` client wired to llmdev; `sdk` keywords go to the SDK (they win)."""
    import anthropic

    made: anthropic.Anthropic = _create(
        "anthropic", anthropic.Anthropic, anthropic.DefaultHttpxClient, settings, tags, reporter, sdk
    )
    return made


def create_async_anthropic(
    *, settings: ClientSettings | None = None, tags: Tags | None = None, reporter: UsageReporter | None = None, **sdk: Any
) -> anthropic.AsyncAnthropic:
    import anthropic

    made: anthropic.AsyncAnthropic = _create(
        "anthropic", anthropic.AsyncAnthropic, anthropic.DefaultAsyncHttpxClient, settings, tags, reporter, sdk
    )
    return made


def call_options(
    client: object, *, tags: Tags | None = None, prompt: PromptRef | None = None, cache: bool | None = None
) -> dict[str, Any]:
    """Keywords for one call: the client's default tags plus `tags`, the prompt version, and the
    sidecar's response cache on or off for this call (`x-llmdev-cache`), e.g.
    `client.chat.completions.create(..., **call_options(client, prompt=prompt, tags={"step": "draft"}))`."""
    headers: dict[str, str] = {} if cache is None else {CACHE_HEADER: "on" if cache else "off"}
    merged = merge_tags(_client_tags.get(client), tags)
    if merged:
        headers[TAGS_HEADER] = format_tags(merged)
    if prompt is not None:
        headers[PROMPT_HEADER] = prompt if isinstance(prompt, str) else prompt.id
    return {"extra_headers": headers}


def flush_usage(timeout: float = 10.0) -> list[ReporterStats]:
    """Flushes the shared direct-mode reporters (they also flush at interpreter exit)."""
    return [reporter.flush(timeout) for reporter in list(_shared_reporters.values())]


def _create(
    provider: Provider,
    client_class: type[Any],
    http_client: type[Any],
    settings: ClientSettings | None,
    tags: Tags | None,
    reporter: UsageReporter | None,
    sdk: Mapping[str, Any],
) -> Any:
    options, chosen = _client_options(provider, settings, tags, reporter, sdk, http_client)
    client = client_class(**options)
    _client_tags[client] = chosen
    return client


def _client_options(
    provider: Provider,
    settings: ClientSettings | None,
    tags: Tags | None,
    reporter: UsageReporter | None,
    sdk: Mapping[str, Any],
    http_client: type[Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The SDK's keywords; `http_client` is the SDK's DefaultHttpxClient or DefaultAsyncHttpxClient."""
    chosen_settings = settings or load_config()
    access = chosen_settings.access(provider)
    chosen_tags = merge_tags(chosen_settings.tags, tags)
    headers = {TAGS_HEADER: format_tags(chosen_tags)} if chosen_tags else {}
    token = _require_token(chosen_settings, provider)
    options: dict[str, Any] = {
        "base_url": access.base_url,
        "timeout": chosen_settings.timeout,
        "max_retries": chosen_settings.max_retries,
        **sdk,
        "default_headers": {**headers, **(sdk.get("default_headers") or {})},
    }
    if access.route == "proxy":
        options["api_key"] = token.reveal()
        return options, chosen_tags
    key = _require_provider_key(chosen_settings, provider)
    options["api_key"] = key.reveal()
    sink = reporter or _shared_reporter(chosen_settings, token)
    observer = make_observer(provider, sink.report, known_secrets=(key.reveal(), token.reveal()))
    made = transports(_httpx_of(http_client))
    transport = made.asynchronous(observer) if _is_async(http_client) else made.sync(observer)
    options["http_client"] = http_client(transport=transport)
    return options, chosen_tags


def _httpx_of(client_class: type[Any]) -> ModuleType:
    """The httpx the SDK is built on: `httpx`, or the `httpx2` fork of newer SDK releases."""
    for base in client_class.__mro__:
        name = base.__module__.partition(".")[0]
        if name.startswith("httpx"):
            return sys.modules[name]
    raise TypeError(f"{client_class!r} is not an httpx client class")


def _is_async(client_class: type[Any]) -> bool:
    return any(base.__name__ == "AsyncClient" for base in client_class.__mro__)


def _shared_reporter(settings: ClientSettings, token: Secret) -> UsageReporter:
    key = (settings.sidecar_url, token.source)
    reporter = _shared_reporters.get(key)
    if reporter is None:
        reporter = _shared_reporters[key] = UsageReporter(settings.sidecar_url, token)
    return reporter


def _require_token(settings: ClientSettings, provider: Provider) -> Secret:
    if settings.token is not None:
        return settings.token
    why = (
        f"calls to {provider} go through the sidecar"
        if settings.access(provider).route == "proxy"
        else f"direct {provider} calls report their usage to the sidecar"
    )
    raise SecretError(
        f"no llmdev sidecar token ({why}); looked at: {', '.join(settings.lookups['token'])}",
        hint="In the workspace container LLMDEV_TOKEN_FILE=/run/secrets/llmdev_token is set for you (recreate it "
        "with `llmdev up` if not). Elsewhere, point LLMDEV_TOKEN_FILE at the token file, e.g. "
        "LLMDEV_TOKEN_FILE=.secrets/llmdev_token on the host.",
    )


def _require_provider_key(settings: ClientSettings, provider: Provider) -> Secret:
    key = settings.access(provider).api_key
    if key is not None:
        return key
    upper = provider.upper()
    raise SecretError(
        f"no {provider} API key for the direct route; looked at: {', '.join(settings.lookups[provider])}",
        hint=f"With providers.{provider}.route: direct the workspace reads the key from the file "
        f"LLMDEV_{upper}_KEY_FILE names: put it there on the host with `llmdev secrets set {provider}_api_key` "
        f"(or set {upper}_API_KEY before `llmdev up`). Or set LLMDEV_{upper}_ROUTE=proxy to go through the sidecar.",
    )
