"""The stock openai and anthropic SDKs made by create_openai/create_anthropic, through a real
sidecar (its mock provider): every call lands in the log with tags and the prompt version, the
client's estimates match what the sidecar counted and its prices what the sidecar charged, the
usage summary adds them up, and a recorded call replays."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from anthropic.types import MessageParam
from openai.types.chat import ChatCompletionMessageParam

import llmdev
from llmdev.estimate import price_usage

from .helpers import access, proxy_settings, records, tagged
from .sidecar import Sidecar

ASK: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Write one sentence about the sea."}]
CLAUDE_ASK: list[MessageParam] = [{"role": "user", "content": "Write one sentence about the sea."}]


def test_openai_calls_land_in_the_log_with_tags_and_prompt(sidecar: Sidecar) -> None:
    settings = proxy_settings(sidecar, LLMDEV_TAGS="team=py")
    client = llmdev.create_openai(settings=settings, tags={"suite": "proxy-openai"})
    completion = client.chat.completions.create(
        model="gpt-4o-mini", messages=ASK, temperature=0.2, **llmdev.call_options(client, prompt="sea@1", tags={"step": "a"})
    )
    assert completion.choices[0].message.content
    streamed = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=ASK, stream=True)
        if chunk.choices
    )
    assert streamed
    stored = records(sidecar, tagged("suite", "proxy-openai"), 2)
    assert len(stored) == 2
    by_stream = {r["stream"]: r for r in stored}
    first = by_stream[False]
    assert first["tags"] == {"team": "py", "suite": "proxy-openai", "step": "a"}
    assert (first["promptName"], first["promptVersion"]) == ("sea", "1")
    assert first["params"]["temperature"] == 0.2
    for record in stored:
        # The mock counts input with the sidecar's tokenizer: the Python estimate must agree exactly.
        assert record["usage"]["inputTokens"] == llmdev.estimate_tokens(ASK, "gpt-4o-mini")
        assert record["usage"]["outputTokens"] > 0
        # One price data set: the client prices a usage as the sidecar did.
        quote = price_usage("openai", record["model"], {"input_tokens": record["usage"]["inputTokens"], "output_tokens": record["usage"]["outputTokens"]})
        assert quote.cost_usd == pytest.approx(record["costUsd"], rel=1e-9)
        assert quote.pricing_source == record["pricingSource"]


def test_anthropic_and_async_clients(sidecar: Sidecar) -> None:
    settings = proxy_settings(sidecar)
    anthropic = llmdev.create_anthropic(settings=settings, tags={"suite": "proxy-anthropic"})
    message = anthropic.messages.create(model="claude-haiku-4-5", max_tokens=100, system="Be brief.", messages=CLAUDE_ASK)
    assert message.content

    async def both() -> None:
        openai = llmdev.create_async_openai(settings=settings, tags={"suite": "proxy-anthropic"})
        stream = await openai.chat.completions.create(model="gpt-4o", messages=ASK, stream=True)
        async for _chunk in stream:
            pass
        claude = llmdev.create_async_anthropic(settings=settings, tags={"suite": "proxy-anthropic"})
        async with claude.messages.stream(model="claude-haiku-4-5", max_tokens=50, messages=CLAUDE_ASK) as events:
            async for _text in events.text_stream:
                pass

    asyncio.run(both())
    stored = records(sidecar, tagged("suite", "proxy-anthropic"), 3)
    assert sorted((r["provider"], r["stream"]) for r in stored) == [
        ("anthropic", False),
        ("anthropic", True),
        ("openai", True),
    ]
    plain = next(r for r in stored if r["provider"] == "anthropic" and not r["stream"])
    assert plain["usage"]["inputTokens"] == llmdev.estimate_tokens(ASK, "claude-haiku-4-5", system="Be brief.")
    assert all(r["costUsd"] is not None and r["costUsd"] > 0 for r in stored)


def test_a_wrong_token_gets_the_sdks_own_error(sidecar: Sidecar) -> None:
    import openai

    settings = llmdev.load_config(env={"LLMDEV_URL": sidecar.url, "LLMDEV_TOKEN": "not-the-token"}, env_file=False)
    client = llmdev.create_openai(settings=settings, max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gpt-4o-mini", messages=ASK)


def test_usage_summary_counts_what_was_logged(sidecar: Sidecar) -> None:
    client = llmdev.create_openai(settings=proxy_settings(sidecar), tags={"suite": "summary"})
    before = llmdev.get_usage_summary(llmdev.SidecarAccess.from_settings(proxy_settings(sidecar)))
    for _ in range(3):
        client.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    stored = records(sidecar, tagged("suite", "summary"), 3)
    after = llmdev.get_usage_summary(access(sidecar), group_by="model")
    assert after["totals"]["requests"] - before["totals"]["requests"] >= 3
    assert after["totals"]["costUsd"] - before["totals"]["costUsd"] == pytest.approx(sum(r["costUsd"] for r in stored))
    assert "gpt-4o-mini" in {group["key"] for group in after["groups"]}


def test_reading_usage_needs_the_token(tmp_path: Path) -> None:
    settings = llmdev.load_config(env={}, env_file=False, secrets_dir=str(tmp_path))
    with pytest.raises(llmdev.SecretError, match="no llmdev sidecar token; looked at: LLMDEV_TOKEN"):
        llmdev.SidecarAccess.from_settings(settings)


def test_replay_a_recorded_call(sidecar: Sidecar) -> None:
    client = llmdev.create_openai(settings=proxy_settings(sidecar), tags={"suite": "replay"})
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=ASK, **llmdev.call_options(client, prompt="sea@2")
    )
    record_id = raw.headers["x-llmdev-request-id"]
    result = llmdev.replay_call(access(sidecar), record_id, model="gpt-4.1-mini")
    assert result.original.id == record_id
    assert result.original.prompt == result.replay.prompt == "sea@2"
    assert result.replay.model == "gpt-4.1-mini"
    assert result.replay.text
    [replayed] = records(sidecar, tagged("replay_of", record_id), 1)
    assert replayed["id"] == result.replay.id
    with pytest.raises(llmdev.SidecarError, match="no usage record"):
        llmdev.replay_call(access(sidecar), "00000000-0000-0000-0000-000000000000")


def test_the_sidecars_cache_answers_a_repeated_call(sidecar: Sidecar) -> None:
    client = llmdev.create_openai(settings=proxy_settings(sidecar), tags={"suite": "cache"})
    ask: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Cache me, please."}]
    answers = [
        client.chat.completions.create(model="gpt-4o-mini", messages=ask, **llmdev.call_options(client, cache=True))
        for _ in range(2)
    ]
    assert answers[0].choices[0].message.content == answers[1].choices[0].message.content
    stored = records(sidecar, tagged("suite", "cache"), 2)
    hit = next(r for r in stored if r["source"] == "cache")
    miss = next(r for r in stored if r["source"] != "cache")
    assert (hit["costUsd"], hit["savedUsd"]) == (0, miss["costUsd"])
