"""Versioned prompts, read exactly as the TypeScript client reads them (src/client/prompts.ts):
`prompts/NAME.md`, YAML front matter (model, params, version, description...) and a template body.
Messages are separated by `{{role "system"}}`-style lines; a body without any is one user message;
`{{name}}` inserts a variable.

The version is the front matter's `version` joined to the first 8 hex digits of the file's SHA-256
(`3+1a2b3c4d`), or the hash alone: editing a prompt without bumping `version` still changes its
version. Line endings are normalized first, so a Windows checkout gets the same version."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Union

import yaml

from .errors import ConfigError, ConfigIssue, FileError, UsageError
from .tags import format_prompt_id

Role = Literal["system", "user", "assistant"]
Variables = Mapping[str, Union[str, int, float, bool]]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*")
_ROLE_LINE = re.compile(r'^[ \t]*\{\{\s*role\s+"(system|user|assistant)"\s*\}\}[ \t]*$', re.MULTILINE)
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_FRONT_MATTER = re.compile(r"^---\n(?:([\s\S]*?)\n)?---[ \t]*(?:\n|$)")
_VERSION = re.compile(r"[^@\s+]{1,100}")
DEFAULT_MAX_TOKENS = 1024


@dataclass(frozen=True)
class PromptMessage:
    role: Role
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Prompt:
    name: str
    #: `<version>+<hash8>` or `<hash8>`.
    version: str
    #: `name@version`: what `x-llmdev-prompt` carries.
    id: str
    #: SHA-256 of the normalized file, hex.
    hash: str
    file: str
    description: str | None
    model: str | None
    #: Request parameters from the front matter, in the provider's names (temperature, max_tokens...).
    params: Mapping[str, Any]
    #: Variables the template uses, in order of first use.
    variables: tuple[str, ...]
    #: The whole front matter, for your own fields.
    meta: Mapping[str, Any]
    _sections: tuple[tuple[Role, str], ...] = field(repr=False)

    def render(self, variables: Variables | None = None) -> list[PromptMessage]:
        """The messages with variables filled in; raises UsageError naming any variable without a value."""
        values = variables or {}
        return [PromptMessage(role, _fill(template, values, self.file)) for role, template in self._sections]

    def openai(
        self, variables: Variables | None = None, *, model: str | None = None
    ) -> dict[str, Any]:
        """An OpenAI chat.completions body: model, messages and params."""
        messages = [m.as_dict() for m in self.render(variables)]
        return {**self.params, "model": self._model(model), "messages": messages}

    def anthropic(
        self, variables: Variables | None = None, *, model: str | None = None, max_tokens: int | None = None
    ) -> dict[str, Any]:
        """An Anthropic messages body: model, max_tokens, system, messages and params."""
        messages = self.render(variables)
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        limit = self.params.get("max_tokens")
        if limit is None:
            limit = DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens
        body: dict[str, Any] = {**self.params, "model": self._model(model), "max_tokens": int(limit)}
        if system != "":
            body["system"] = system
        body["messages"] = [m.as_dict() for m in messages if m.role != "system"]
        return body

    def _model(self, override: str | None) -> str:
        model = override if override is not None else self.model
        if model is None:
            raise UsageError(
                f"{self.file} names no model",
                hint="Add `model:` to its front matter (it is part of the prompt version), or pass model=...",
            )
        return model


def load_prompt(name: str, *, dir: str | None = None) -> Prompt:
    """Reads `<dir>/<name>.md`; dir defaults to LLMDEV_PROMPTS_DIR or `prompts` (from the working directory)."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"prompt name {_json(name)} is not a file name under the prompts folder",
            hint='Use the file name without .md, e.g. load_prompt("summarize") for prompts/summarize.md.',
        )
    folder = dir if dir is not None else os.environ.get("LLMDEV_PROMPTS_DIR", "prompts")
    file = os.path.join(os.path.abspath(folder), f"{name}.md")
    try:
        with open(file, encoding="utf-8") as stream:
            text = stream.read()
    except OSError as error:
        missing = isinstance(error, FileNotFoundError)
        raise FileError(
            f"prompt {name}: cannot read {file}{' (no such file)' if missing else ''}",
            hint=f"Create {file}, or point LLMDEV_PROMPTS_DIR (or dir=) at the folder holding your prompts."
            if missing
            else "Check the file permissions.",
        ) from error
    return parse_prompt(text, name=name, file=file)


def parse_prompt(text: str, *, name: str, file: str) -> Prompt:
    """Parses a prompt file's text. Pure."""
    normalized = re.sub(r"\r\n?", "\n", text.removeprefix("\ufeff"))
    digest = hashlib.sha256(normalized.encode("utf-8")).hexdigest()
    meta, body = _split_front_matter(normalized, file)
    front = _front_matter(meta, file)
    prompt_name = front.get("name", name)
    version = digest[:8] if front.get("version") is None else f"{front['version']}+{digest[:8]}"
    variables = tuple(dict.fromkeys(match.group(1) for match in _VARIABLE.finditer(body)))
    return Prompt(
        name=prompt_name,
        version=version,
        id=format_prompt_id(prompt_name, version),
        hash=digest,
        file=file,
        description=front.get("description"),
        model=front.get("model"),
        params=front["params"],
        variables=variables,
        meta=front,
        _sections=_split_roles(body),
    )


def _front_matter(meta: dict[str, Any], file: str) -> dict[str, Any]:
    """Validated front matter (the rules of the TypeScript client's zod schema); unknown keys are kept."""
    front = dict(meta)
    issues: list[ConfigIssue] = []

    def bad(path: str, message: str) -> None:
        issues.append(ConfigIssue(file, path, message))

    for key in ("name", "description"):
        if key in front and not isinstance(front[key], str):
            bad(key, "expected a text name" if key == "name" else "expected text")
    if "version" in front and front["version"] is not None:
        raw = front["version"]
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            bad("version", 'expected a version like 3 or "2024-06-01"')
        else:
            text = _js_string(raw)
            if _VERSION.fullmatch(text):
                front["version"] = text
            else:
                bad("version", 'expected a version without "@", "+" or spaces')
    if "model" in front and (not isinstance(front["model"], str) or front["model"] == ""):
        bad("model", "expected a model id")
    params = front.get("params", {})
    if not isinstance(params, dict):
        bad("params", "expected a map of request parameters")
    front["params"] = params if isinstance(params, dict) else {}
    if issues:
        raise ConfigError(
            f"{file}: invalid front matter: " + "; ".join(f"{i.path}: {i.message}" for i in issues),
            issues,
            hint="Front matter is YAML between --- lines: model, params, version, description.",
        )
    return front


def _split_front_matter(text: str, file: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        return {}, text
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ConfigError(
            f"{file}: the front matter has no closing --- line",
            [],
            hint="Put the YAML between a first line --- and a closing line ---.",
        )
    try:
        meta = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError as error:
        reason = str(error).split("\n")[0]
        raise ConfigError(
            f"{file}: the front matter is not valid YAML: {reason}", [], hint="Front matter is YAML between --- lines."
        ) from error
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ConfigError(f"{file}: the front matter must be a map of settings", [], hint="e.g. model: gpt-4o-mini")
    return meta, text[match.end() :]


def _split_roles(body: str) -> tuple[tuple[Role, str], ...]:
    markers = list(_ROLE_LINE.finditer(body))
    if not markers:
        return (("user", body.strip()),)
    sections: list[tuple[Role, str]] = []
    before = body[: markers[0].start()].strip()
    if before:
        sections.append(("user", before))
    for i, marker in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(body)
        role: Role = "system" if marker.group(1) == "system" else "assistant" if marker.group(1) == "assistant" else "user"
        sections.append((role, body[marker.end() : end].strip()))
    return tuple(section for section in sections if section[1] != "")


def _fill(template: str, values: Variables, file: str) -> str:
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value is None:
            if match.group(1) not in missing:
                missing.append(match.group(1))
            return match.group(0)
        return _js_string(value)

    text = _VARIABLE.sub(replace, template)
    if missing:
        names = ", ".join(f"{{{{{name}}}}}" for name in missing)
        example = ", ".join(f"'{name}': '...'" for name in missing)
        raise UsageError(f"{file}: no value for {names}", hint=f"Pass it when rendering, e.g. prompt.render({{{example}}}).")
    return text


def _js_string(value: str | int | float | bool) -> str:
    """What JavaScript's String() makes of a value, so both clients render and version alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
