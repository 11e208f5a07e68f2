"""The shared client vectors (test/vectors/*.json), whose `expected` values the TypeScript client
computed: the Python client must compute the same. Messages of errors are compared; hints may
differ where they show code (Python syntax here, TypeScript there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import llmdev
from llmdev.estimate import PRICING_DATA_VERSION
from llmdev.observe import make_observer
from llmdev.transports import transports
from llmdev.tags import format_prompt_id
from llmdev.token_estimate import estimate_input_tokens
from llmdev.tokenizer import count_text_tokens

from .conftest import WIRE, vectors

ESTIMATES = vectors("estimates.json")
HEADERS = vectors("headers.json")
RECORDS = vectors("records.json")
SETTINGS = vectors("settings.json")
COOKBOOK = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
    },
    {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
    {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."},
]


def error_of(action: Any) -> dict[str, Any]:
    try:
        return {"value": action()}
    except llmdev.LlmdevError as error:
        return {"error": error.message}


def without_hint(expected: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in expected.items() if key != "hint"}


def test_the_same_price_data_release_as_the_sidecar() -> None:
    assert PRICING_DATA_VERSION == ESTIMATES["pricingSource"]


@pytest.mark.parametrize("case", ESTIMATES["texts"], ids=lambda c: f"{c['model']}: {c['text'][:20]}")
def test_text_tokens(case: dict[str, Any]) -> None:
    assert count_text_tokens(case["text"], case["model"]) == case["expected"]


@pytest.mark.parametrize("case", ESTIMATES["messages"], ids=lambda c: c["name"])
def test_cost_estimates(case: dict[str, Any]) -> None:
    messages = COOKBOOK if case.get("messages") == "cookbook" else case.get("messages")
    estimate = llmdev.estimate_cost(
        case["model"],
        max_output_tokens=case["maxOutputTokens"],
        messages=messages,
        system=case.get("system"),
        input_tokens=case.get("inputTokens"),
    )
    expected = case["expected"]
    tokens = None if messages is None else llmdev.estimate_tokens(messages, case["model"], system=case.get("system"))
    assert tokens == expected["tokens"]
    assert (estimate.provider, estimate.model, estimate.input_tokens, estimate.max_output_tokens) == (
        expected["provider"],
        expected["model"],
        expected["inputTokens"],
        expected["maxOutputTokens"],
    )
    assert (estimate.pricing_source, estimate.resolved_model) == (expected["pricingSource"], expected["resolvedModel"])
    for ours, theirs in ((estimate.input_cost_usd, expected["inputCostUsd"]), (estimate.max_cost_usd, expected["maxCostUsd"])):
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("case", ESTIMATES["requests"], ids=lambda c: c["name"])
def test_request_input_tokens(case: dict[str, Any]) -> None:
    assert estimate_input_tokens(case["kind"], case["body"]) == case["expected"]


@pytest.mark.parametrize("case", HEADERS["formatTags"], ids=lambda c: json.dumps(c["tags"]))
def test_tags_header(case: dict[str, Any]) -> None:
    assert error_of(lambda: llmdev.format_tags(case["tags"])) == without_hint(case["expected"])


@pytest.mark.parametrize("case", HEADERS["parseTags"], ids=lambda c: repr(c["text"]))
def test_tags_parsing(case: dict[str, Any]) -> None:
    assert llmdev.parse_tags(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", HEADERS["promptIds"], ids=lambda c: f"{c['name']}@{c['version']}")
def test_prompt_header(case: dict[str, Any]) -> None:
    assert error_of(lambda: format_prompt_id(case["name"], case["version"])) == without_hint(case["expected"])


@pytest.mark.parametrize("case", HEADERS["prompts"], ids=lambda c: c["name"])
def test_prompt_files(case: dict[str, Any]) -> None:
    prompt = llmdev.parse_prompt(case["text"], name=case["name"], file=f"prompts/{case['name']}.md")
    variables, model = case["variables"], case.get("model")
    expected = case["expected"]
    assert (prompt.id, prompt.name, prompt.version, prompt.hash, prompt.model) == (
        expected["id"],
        expected["name"],
        expected["version"],
        expected["hash"],
        expected["model"],
    )
    assert (dict(prompt.params), list(prompt.variables)) == (expected["params"], expected["variables"])
    assert [m.as_dict() for m in prompt.render(variables)] == expected["messages"]
    assert prompt.openai(variables, model=model) == expected["openai"]
    assert prompt.anthropic(variables, model=model) == expected["anthropic"]
    assert error_of(lambda: prompt.render({})) == without_hint(expected["missingVariable"])


@pytest.mark.parametrize("case", RECORDS["calls"], ids=lambda c: c["name"])
def test_direct_mode_records(case: dict[str, Any]) -> None:
    answer = case["answer"]
    text = (WIRE / answer["fixture"]).read_text(encoding="utf-8") if "fixture" in answer else answer["text"]
    stream = answer.get("fixture", "").endswith(".sse")
    sent: list[Any] = []

    def provider(request: httpx.Request) -> httpx.Response:
        assert not [name for name in request.headers if name.lower().startswith("x-llmdev-")]
        sent.append(json.loads(request.content))
        content_type = "text/event-stream" if stream else "application/json"
        return httpx.Response(answer["status"], headers={"content-type": content_type}, content=text.encode())

    reports: list[Any] = []
    observer = make_observer(
        case["provider"], reports.append, known_secrets=tuple(RECORDS["knownSecrets"]), now=lambda: RECORDS["now"]
    )
    with httpx.Client(transport=transports(httpx).sync(observer, httpx.MockTransport(provider))) as client:
        response = client.post(
            case["url"],
            headers={"content-type": "application/json", **case["headers"]},
            content=json.dumps(case["body"]),
        )
        caller_body = response.text
    expected = case["expected"]
    assert sent == [expected["sent"]]
    assert ("unchanged" if caller_body == text else caller_body) == expected["callerBody"]
    [record] = reports
    assert isinstance(record.pop("latencyMs"), float)
    record.pop("ttfbMs", None)
    assert record == expected["record"]


def settings_view(settings: llmdev.ClientSettings, cwd: Path) -> Any:
    def access(a: llmdev.ProviderAccess) -> dict[str, Any]:
        return {"route": a.route, "baseUrl": a.base_url, "apiKey": None if a.api_key is None else a.api_key.source}

    view = {
        "provider": settings.provider,
        "model": settings.model,
        "maxTokens": settings.max_tokens,
        "temperature": settings.temperature,
        "timeoutSeconds": settings.timeout,
        "maxRetries": settings.max_retries,
        "sidecarUrl": settings.sidecar_url,
        "token": None if settings.token is None else settings.token.source,
        "tags": dict(settings.tags),
        "promptsDir": settings.prompts_dir,
        "openai": access(settings.openai),
        "anthropic": access(settings.anthropic),
        "lookups": {name: list(tried) for name, tried in settings.lookups.items()},
    }
    return json.loads(json.dumps(view).replace(str(cwd), "<cwd>"))


def load(case: dict[str, Any], cwd: Path) -> llmdev.ClientSettings:
    for path, content in case.get("files", {}).items():
        (cwd / path).parent.mkdir(parents=True, exist_ok=True)
        (cwd / path).write_text(content)
    return llmdev.load_config(env=case["env"], cwd=str(cwd), env_file=False, secrets_dir=str(cwd / "secrets"))


@pytest.mark.parametrize("case", SETTINGS["valid"], ids=lambda c: ",".join(c["env"]) or "defaults")
def test_settings(case: dict[str, Any], tmp_path: Path) -> None:
    assert settings_view(load(case, tmp_path), tmp_path) == case["expected"]


@pytest.mark.parametrize("case", SETTINGS["invalid"], ids=lambda c: ",".join(c["env"]))
def test_settings_errors(case: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(llmdev.ConfigError) as raised:
        load(case, tmp_path)
    error = raised.value
    issues = [{"source": i.source, "path": i.path, "message": i.message} for i in error.issues]
    assert {"message": error.message, "hint": error.hint, "issues": issues} == case["expected"]
