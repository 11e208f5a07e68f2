"""Client settings for code in the workspace, as the TypeScript client reads them
(src/client/settings.ts): from the environment, the project's `.env` (the environment wins;
os.environ is left alone unless asked) and secret files. Every bad value is reported with its
variable, what was expected and what was found.

Which way each provider's calls go: `proxy` (default) sends them to the sidecar with the sidecar
token as API key; `direct` (`providers.X.route: direct` in llmdev.config.yaml, which gives the
workspace `LLMDEV_<PROVIDER>_KEY_FILE`) calls the provider with the real key and reports usage to
the sidecar. Credentials are looked up here but only required by the client that needs them."""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values

from .errors import ConfigError, ConfigIssue
from .redact import redact
from .secret import Secret
from .secret_sources import ReadText, SecretContext, lookup_secret, read_text
from .tags import parse_tags

Provider = Literal["openai", "anthropic"]
Route = Literal["proxy", "direct"]

DEFAULT_MODELS: Mapping[Provider, str] = {"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5"}
DEFAULT_SIDECAR_URL = "http://127.0.0.1:4100"
_PUBLIC_BASE_URLS: Mapping[Provider, str] = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
}


@dataclass(frozen=True)
class ProviderAccess:
    route: Route
    #: Where the SDK sends calls: the sidecar (proxy) or the provider (direct).
    base_url: str
    #: The provider's own key: only looked up for the direct route.
    api_key: Secret | None


@dataclass(frozen=True)
class ClientSettings:
    #: LLM_PROVIDER: the provider your code should use.
    provider: Provider
    #: LLM_MODEL, else a small current model of `provider`.
    model: str
    #: LLM_MAX_TOKENS
    max_tokens: int | None
    #: LLM_TEMPERATURE
    temperature: float | None
    #: LLM_TIMEOUT: seconds per request attempt.
    timeout: float
    #: LLM_MAX_RETRIES: retries after the first attempt (429, 5xx, timeouts), honouring retry-after.
    max_retries: int
    #: LLMDEV_URL: the sidecar, without a trailing slash.
    sidecar_url: str
    #: The sidecar token: LLMDEV_TOKEN, LLMDEV_TOKEN_FILE, or /run/secrets/llmdev_token.
    token: Secret | None
    #: LLMDEV_TAGS: tags every call carries.
    tags: Mapping[str, str]
    #: LLMDEV_PROMPTS_DIR, absolute.
    prompts_dir: str
    openai: ProviderAccess
    anthropic: ProviderAccess
    #: Where each credential was looked for (never values), for error messages.
    lookups: Mapping[str, tuple[str, ...]]

    def access(self, provider: Provider) -> ProviderAccess:
        return self.openai if provider == "openai" else self.anthropic


class _Invalid(ValueError):
    pass


def _number(message: str, valid: Callable[[float], bool]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise _Invalid(message) from None
        if math.isfinite(value) and valid(value):
            return value
        raise _Invalid(message)

    return parse


def _url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _Invalid("expected an http:// or https:// URL")
    return text.strip().rstrip("/")


def _choice(options: tuple[str, ...], message: str, lower: bool = False) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower() if lower else text
        if value not in options:
            raise _Invalid(message)
        return value

    return parse


def _tags(text: str) -> dict[str, str]:
    tags = parse_tags(text)
    if isinstance(tags, str):
        raise _Invalid(tags)
    return tags


def _whole(value: float) -> bool:
    return value == int(value)


#: Each variable: its parser and an example value for the hint. Order = the order issues are listed.
_VARIABLES: dict[str, tuple[Callable[[str], object], str]] = {
    "LLM_PROVIDER": (_choice(("openai", "anthropic"), "expected openai or anthropic", lower=True), "anthropic"),
    "LLM_MODEL": (lambda text: text.strip(), "gpt-4o-mini"),
    "LLM_MAX_TOKENS": (_number("expected a positive whole number", lambda n: _whole(n) and n > 0), "512"),
    "LLM_TEMPERATURE": (_number("expected a number from 0 to 2", lambda n: 0 <= n <= 2), "0.2"),
    "LLM_TIMEOUT": (_number("expected a number of seconds above 0", lambda n: n > 0), "60"),
    "LLM_MAX_RETRIES": (_number("expected a whole number from 0 to 10", lambda n: _whole(n) and 0 <= n <= 10), "2"),
    "LLMDEV_URL": (_url, "http://usage-logger:4100"),
    "OPENAI_BASE_URL": (_url, "http://usage-logger:4100/v1"),
    "ANTHROPIC_BASE_URL": (_url, "http://usage-logger:4100"),
    "LLMDEV_OPENAI_ROUTE": (_choice(("proxy", "direct"), "expected proxy or direct"), "proxy"),
    "LLMDEV_ANTHROPIC_ROUTE": (_choice(("proxy", "direct"), "expected proxy or direct"), "proxy"),
    "LLMDEV_TAGS": (_tags, "feature=search,team=core"),
    "LLMDEV_PROMPTS_DIR": (lambda text: text, "prompts"),
}


def load_config(
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    env_file: str | Literal[False] | None = None,
    secrets_dir: str = "/run/secrets",
    read: ReadText = read_text,
    populate_process_env: bool = False,
) -> ClientSettings:
    """The settings from `env` (default os.environ), `<cwd>/.env` (or `env_file`; False: none) and
    the secret files under `secrets_dir`. Raises ConfigError naming every bad variable."""
    environ: Mapping[str, str] = os.environ if env is None else env
    base = os.getcwd() if cwd is None else cwd
    dotenv = _read_dotenv(os.path.join(base, ".env") if env_file is None else env_file, read)
    if populate_process_env:
        for name, value in dotenv.items():
            os.environ.setdefault(name, value)

    variables: dict[str, str] = {}
    for source in (dotenv, environ):
        for name, value in source.items():
            if value != "":  # `NAME=` means "not set"
                variables[name] = value
    from_dotenv = frozenset(name for name in dotenv if not environ.get(name))

    values: dict[str, object] = {}
    issues: list[ConfigIssue] = []
    for name, (parse, _example) in _VARIABLES.items():
        if name not in variables:
            continue
        try:
            values[name] = parse(variables[name])
        except _Invalid as invalid:
            issues.append(
                ConfigIssue(
                    ".env" if name in from_dotenv else "environment",
                    name,
                    f"{invalid}, got {_shown(variables[name])}",
                )
            )
    if issues:
        raise _settings_error(issues)

    ctx = SecretContext(variables, from_dotenv, base, read)
    token = lookup_secret("LLMDEV_TOKEN", ctx, default_file=f"{secrets_dir}/llmdev_token")
    sidecar_url = str(values.get("LLMDEV_URL", DEFAULT_SIDECAR_URL))

    def access(provider: Provider) -> tuple[ProviderAccess, tuple[str, ...]]:
        upper = provider.upper()
        explicit = values.get(f"LLMDEV_{upper}_ROUTE")
        base_url = values.get(f"{upper}_BASE_URL")
        key_variable = f"LLMDEV_{upper}_KEY"
        # The generated compose hands the workspace a key file only for `route: direct`.
        direct = explicit == "direct" or (
            explicit is None and (key_variable in variables or f"{key_variable}_FILE" in variables)
        )
        if not direct:
            proxied = f"{sidecar_url}/v1" if provider == "openai" else sidecar_url
            return ProviderAccess("proxy", str(base_url or proxied), None), ()
        key = lookup_secret(
            key_variable,
            ctx,
            file_variables=(f"{upper}_API_KEY_FILE",),
            default_file=f"{secrets_dir}/{provider}_api_key",
        )
        return ProviderAccess("direct", str(base_url or _PUBLIC_BASE_URLS[provider]), key.secret), tuple(key.tried)

    openai, openai_tried = access("openai")
    anthropic, anthropic_tried = access("anthropic")
    provider: Provider = "anthropic" if values.get("LLM_PROVIDER") == "anthropic" else "openai"
    max_tokens = _number_of(values, "LLM_MAX_TOKENS")
    temperature = _number_of(values, "LLM_TEMPERATURE")
    prompts_dir = str(values.get("LLMDEV_PROMPTS_DIR", "prompts"))
    return ClientSettings(
        provider=provider,
        model=str(values.get("LLM_MODEL") or DEFAULT_MODELS[provider]),
        max_tokens=None if max_tokens is None else int(max_tokens),
        temperature=temperature,
        timeout=_number_of(values, "LLM_TIMEOUT") or 60.0,
        max_retries=int(_number_of(values, "LLM_MAX_RETRIES") or 0) if "LLM_MAX_RETRIES" in values else 2,
        sidecar_url=sidecar_url,
        token=token.secret,
        tags=_as_tags(values.get("LLMDEV_TAGS")),
        prompts_dir=prompts_dir if os.path.isabs(prompts_dir) else os.path.normpath(os.path.join(base, prompts_dir)),
        openai=openai,
        anthropic=anthropic,
        lookups={"token": tuple(token.tried), "openai": openai_tried, "anthropic": anthropic_tried},
    )


def model_for(settings: ClientSettings, provider: Provider) -> str:
    """The model to use with `provider`: LLM_MODEL when LLM_PROVIDER is that provider, else its default."""
    return settings.model if settings.provider == provider else DEFAULT_MODELS[provider]


def _number_of(values: Mapping[str, object], name: str) -> float | None:
    value = values.get(name)
    return value if isinstance(value, float) else None


def _as_tags(value: object) -> dict[str, str]:
    return dict(value) if isinstance(value, dict) else {}


def _read_dotenv(file: str | Literal[False], read: ReadText) -> dict[str, str]:
    if file is False:
        return {}
    try:
        parsed = dotenv_values(stream=io.StringIO(read(file)))
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(
            f"cannot read {file} ({error.strerror})", [], hint="Make the .env file readable, or remove it."
        ) from error
    return {name: value for name, value in parsed.items() if value is not None}


def _shown(value: str) -> str:
    return json.dumps(redact(value if len(value) <= 60 else f"{value[:57]}..."), ensure_ascii=False)


def _settings_error(issues: list[ConfigIssue]) -> ConfigError:
    lines = [f"  {i.path}{' (in .env)' if i.source == '.env' else ''}: {i.message}" for i in issues]
    examples = " ".join(f"{i.path}={_VARIABLES[i.path][1]}" for i in issues)
    return ConfigError(
        "invalid llmdev client settings:\n" + "\n".join(lines),
        issues,
        hint=f"Fix the value in the environment or in .env, e.g. {examples} (unset it to use the default).",
    )
