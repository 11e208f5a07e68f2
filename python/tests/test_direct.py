"""Direct mode: the SDKs call the (fake) provider with the real key, and each call's usage is
reported to the real sidecar in the background, priced there; the SDK's own retries (with backoff)
show as one record per attempt; the key never reaches a record."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from anthropic.types import MessageParam
from openai.types.chat import ChatCompletionMessageParam

import llmdev

from .conftest import WIRE
from .fake_provider import Answer, FakeProvider, fake_provider
from .helpers import records, tagged
from .sidecar import Sidecar

OPENAI_KEY = "sk-proj-directOpenaiKeyInTheWorkspace0123456789"
ANTHROPIC_KEY = "sk-ant-api03-directAnthropicKeyInTheWorkspace01"
ASK: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Hello"}]
CLAUDE_ASK: list[MessageParam] = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with fake_provider(WIRE) as running:
        yield running


def direct(sidecar: Sidecar, fake: FakeProvider) -> llmdev.ClientSettings:
    return llmdev.load_config(
        env={
            "LLMDEV_URL": sidecar.url,
            "LLMDEV_TOKEN": sidecar.token,
            "LLMDEV_OPENAI_ROUTE": "direct",
            "LLMDEV_OPENAI_KEY": OPENAI_KEY,
            "OPENAI_BASE_URL": f"{fake.url}/v1",
            "LLMDEV_ANTHROPIC_ROUTE": "direct",
            "LLMDEV_ANTHROPIC_KEY": ANTHROPIC_KEY,
            "ANTHROPIC_BASE_URL": fake.url,
        },
        env_file=False,
    )


def reporter(sidecar: Sidecar) -> llmdev.UsageReporter:
    return llmdev.UsageReporter(sidecar.url, llmdev.Secret(sidecar.token, "test"), batch_delay=0.01, exit_flush=0)


def test_calls_go_to_the_provider_and_their_usage_to_the_sidecar(sidecar: Sidecar, fake: FakeProvider) -> None:
    settings = direct(sidecar, fake)
    sink = reporter(sidecar)
    openai = llmdev.create_openai(settings=settings, reporter=sink, tags={"suite": "direct"})
    anthropic = llmdev.create_anthropic(settings=settings, reporter=sink, tags={"suite": "direct"})
    openai.chat.completions.create(model="gpt-4o", messages=ASK, **llmdev.call_options(openai, prompt="greet@2"))
    chunks = list(openai.chat.completions.create(model="gpt-4o", messages=ASK, stream=True))
    # The usage chunk the client asked for on the caller's behalf is hidden from the caller.
    assert chunks and all(chunk.choices for chunk in chunks)
    anthropic.messages.create(model="claude-sonnet-4-5", max_tokens=100, messages=CLAUDE_ASK)
    assert sink.flush().pending == 0

    assert [r["headers"].get("authorization") for r in fake.received[:2]] == [f"Bearer {OPENAI_KEY}"] * 2
    claude_headers = fake.received[2]["headers"]  # newer anthropic SDKs send the key as a bearer token
    assert ANTHROPIC_KEY in (claude_headers.get("x-api-key"), claude_headers.get("authorization", "")[7:])
    assert not any(name.lower().startswith("x-llmdev-") for r in fake.received for name in r["headers"])
    assert fake.received[1]["body"]["stream_options"] == {"include_usage": True}

    stored = records(sidecar, tagged("suite", "direct"), 3)
    assert {r["source"] for r in stored} == {"ingest"}
    chat = [r for r in stored if r["provider"] == "openai"]
    assert sorted(r["stream"] for r in chat) == [False, True]
    for record in chat:  # openai-chat(.json|-stream.sse): prompt 1234 (cached 1024), completion 56
        assert (record["usage"]["inputTokens"], record["usage"]["cachedInputTokens"]) == (1234, 1024)
        assert record["usage"]["outputTokens"] == 56
        assert record["responseModel"] == "gpt-4o-2024-08-06"
        assert record["costUsd"] > 0
    assert next(r for r in chat if not r["stream"])["promptName"] == "greet"
    [claude] = [r for r in stored if r["provider"] == "anthropic"]
    assert (claude["usage"]["inputTokens"], claude["usage"]["cacheWriteTokens"]) == (21 + 1888, 1888)


def test_async_clients_report_too(sidecar: Sidecar, fake: FakeProvider) -> None:
    settings = direct(sidecar, fake)
    sink = reporter(sidecar)

    async def calls() -> None:
        openai = llmdev.create_async_openai(settings=settings, reporter=sink, tags={"suite": "direct-async"})
        stream = await openai.chat.completions.create(model="gpt-4o", messages=ASK, stream=True)
        async for chunk in stream:
            assert chunk.choices
        anthropic = llmdev.create_async_anthropic(settings=settings, reporter=sink, tags={"suite": "direct-async"})
        async with anthropic.messages.stream(model="claude-sonnet-4-5", max_tokens=100, messages=CLAUDE_ASK) as events:
            await events.get_final_message()

    asyncio.run(calls())
    sink.flush()
    stored = records(sidecar, tagged("suite", "direct-async"), 2)
    assert sorted((r["provider"], r["stream"]) for r in stored) == [("anthropic", True), ("openai", True)]
    assert all(not r["estimated"] and r["costUsd"] > 0 for r in stored)


def test_the_sdks_retries_back_off_and_every_attempt_is_recorded(sidecar: Sidecar, fake: FakeProvider) -> None:
    import openai

    settings = direct(sidecar, fake)
    sink = reporter(sidecar)
    fake.script(
        "/v1/chat/completions",
        Answer(429, "openai-error.json", {"retry-after-ms": "10"}),
        Answer(500, "openai-error.json", {"retry-after-ms": "10"}),
    )
    client = llmdev.create_openai(settings=settings, reporter=sink, tags={"suite": "direct-retry"})
    assert client.max_retries == settings.max_retries == 2  # LLM_MAX_RETRIES' default
    client.chat.completions.create(model="gpt-4o", messages=ASK)
    fake.script("/v1/chat/completions", *[Answer(429, "openai-error.json", {"retry-after-ms": "1"})] * 3)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="gpt-4o", messages=ASK)
    sink.flush()
    stored = records(sidecar, tagged("suite", "direct-retry"), 6)
    assert sorted(r["status"] for r in stored) == [200, 429, 429, 429, 429, 500]
    failed = [r for r in stored if r["status"] != 200]
    assert all(r["error"].startswith("Rate limit reached") for r in failed)
    assert not any(OPENAI_KEY in str(r) for r in stored)
