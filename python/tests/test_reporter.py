"""The usage reporter against the real sidecar's `POST /v1/usage`: records are stored and priced
there, a retried record is stored once, and with the sidecar out of reach reporting neither blocks
nor raises: the queue stays bounded (oldest dropped, counted, one warning) and a flush gives up at
its deadline. A script that just ends still reports (atexit)."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from decimal import Decimal
import warnings

import pytest

import llmdev

from .helpers import records, tagged
from .sidecar import Sidecar


def record(suite: str, **extra: object) -> dict[str, object]:
    return {
        "provider": "openai",
        "model": "gpt-4o-mini",
        "usage": {"inputTokens": 1000, "outputTokens": 200},
        "tags": {"suite": suite},
        **extra,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_reported_records_are_stored_once_and_priced(sidecar: Sidecar) -> None:
    reporter = llmdev.UsageReporter(sidecar.url, llmdev.Secret(sidecar.token, "test"), batch_delay=0.01, exit_flush=0)
    same = str(uuid.uuid4())
    reporter.report(record("reporter", id=same, prompt="greet@1"))
    reporter.report(record("reporter", id=same, prompt="greet@1"))  # a retry of the same record
    for _ in range(3):
        reporter.report(record("reporter"))
    stats = reporter.close()
    assert (stats.pending, stats.sent, stats.dropped, stats.rejected) == (0, 5, 0, 0)
    stored = records(sidecar, tagged("suite", "reporter"), 4)
    assert len(stored) == 4
    assert {r["source"] for r in stored} == {"ingest"}
    expected = llmdev.estimate_cost("gpt-4o-mini", input_tokens=1000, max_output_tokens=200).max_cost_usd
    assert all(r["costUsd"] == pytest.approx(expected) for r in stored)
    reporter.report(record("reporter"))  # after close(): dropped, counted
    assert reporter.stats().dropped == 1


def test_an_invalid_record_is_refused_with_a_warning(sidecar: Sidecar) -> None:
    seen: list[str] = []
    reporter = llmdev.UsageReporter(
        sidecar.url, llmdev.Secret(sidecar.token, "test"), batch_delay=0, exit_flush=0, warn=seen.append
    )
    reporter.report({"provider": "mistral", "model": "x", "usage": {"inputTokens": 1, "outputTokens": 1}})
    stats = reporter.close()
    assert (stats.rejected, stats.pending) == (1, 0)
    assert len(seen) == 1 and "HTTP 400" in seen[0] and sidecar.token not in seen[0]


def test_a_value_json_cannot_hold_does_not_stop_the_worker(sidecar: Sidecar) -> None:
    reporter = llmdev.UsageReporter(
        sidecar.url, llmdev.Secret(sidecar.token, "test"), batch_delay=0, exit_flush=0, warn=lambda _: None
    )
    reporter.report(record("odd", params={"temperature": Decimal("0.5")}))  # sent as text: refused
    assert reporter.flush().rejected == 1
    reporter.report(record("odd"))
    assert reporter.close().sent == 1
    assert len(records(sidecar, tagged("suite", "odd"), 1)) == 1


def test_an_unreachable_sidecar_never_blocks_and_the_queue_stays_bounded() -> None:
    token = llmdev.Secret("token-that-must-not-show-0123456789", "test")
    reporter = llmdev.UsageReporter(
        f"http://127.0.0.1:{free_port()}", token, max_queue=10, batch_size=5, batch_delay=0, retry_initial=0.01,
        retry_max=0.05, exit_flush=0,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(25):
            reporter.report(record("down", id=f"r{i}"))
        stats = reporter.flush(timeout=0.5)
        reporter.close(timeout=0.1)
    assert stats.sent == 0
    assert stats.pending <= 10 + 5  # the bound, plus one batch in flight
    assert stats.dropped == 25 - stats.pending
    assert stats.failed_attempts > 0
    messages = [str(w.message) for w in caught if issubclass(w.category, llmdev.LlmdevUsageWarning)]
    assert sum("usage queue full" in m for m in messages) == 1
    assert sum("cannot report usage" in m for m in messages) == 1
    assert not any(token.reveal() in m for m in messages)


def test_a_script_that_just_ends_still_reports(sidecar: Sidecar) -> None:
    script = f"""
import llmdev
reporter = llmdev.UsageReporter({sidecar.url!r}, llmdev.Secret({sidecar.token!r}, "test"), batch_delay=5)
reporter.report({record("at-exit")!r})
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert len(records(sidecar, tagged("suite", "at-exit"), 1)) == 1
