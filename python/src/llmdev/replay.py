"""Replaying a recorded call (src/client/replay.ts): fetch its stored request from the sidecar,
send it again through the sidecar (same endpoint, tags and prompt version, plus `replay_of=<id>`;
optionally another model), and put the old and the new call side by side: answer text, tokens,
cost, latency, fingerprint."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import SidecarError
from .json_text import error_message, parse_json
from .sidecar_api import SidecarAccess, StoredCall, answer_error, get_stored_call, sidecar_request
from .tags import PROMPT_HEADER, TAGS_HEADER, format_tags
from .usage import api_kind_for_path, extract_response, extract_stream

#: Anthropic's API version header, which the stock SDK would send.
ANTHROPIC_VERSION = "2023-06-01"


@dataclass(frozen=True)
class CallView:
    id: str
    ts: str
    provider: str
    model: str
    #: The model the provider said it used (e.g. a dated snapshot); None when unknown.
    response_model: str | None
    stream: bool
    status: int
    #: The answer's text; None when it was not stored.
    text: str | None
    #: Token counts, camelCase as the sidecar stores them.
    usage: Mapping[str, int]
    estimated: bool
    cost_usd: float | None
    latency_ms: float | None
    ttfb_ms: float | None
    system_fingerprint: str | None
    prompt: str | None
    params: Mapping[str, Any]


@dataclass(frozen=True)
class ReplayResult:
    original: CallView
    replay: CallView


def replay_call(access: SidecarAccess, record_id: str, *, model: str | None = None) -> ReplayResult:
    original = get_stored_call(access, record_id)
    record = original.record
    body = _request_body_of(original)
    kind = api_kind_for_path("POST", record["endpoint"])
    if kind is None:
        raise SidecarError(
            f"record {record_id} is a {record['endpoint']} call, which cannot be replayed",
            hint="Replay works for chat/completions, responses, completions, embeddings and messages calls.",
        )
    headers = {"content-type": "application/json", TAGS_HEADER: format_tags({**record["tags"], "replay_of": record["id"]})}
    if record.get("promptName") is not None and record.get("promptVersion") is not None:
        headers[PROMPT_HEADER] = f"{record['promptName']}@{record['promptVersion']}"
    if record["provider"] == "anthropic":
        headers["anthropic-version"] = ANTHROPIC_VERSION
    sent = body if model is None else {**body, "model": model}
    response = sidecar_request(access, "POST", record["endpoint"], headers=headers, content=json.dumps(sent).encode())
    new_id = response.headers.get("x-llmdev-request-id")
    if new_id is None:
        raise answer_error(access, response, f"replaying {record_id}")
    if "text/event-stream" in response.headers.get("content-type", ""):
        found = extract_stream(kind, response.text)
        text = found.output_text or (found.error or "")
    elif response.is_success:
        text = extract_response(kind, parse_json(response.text)).output_text
    else:
        text = error_message(response.text) or response.text
    replayed = get_stored_call(access, new_id)
    return ReplayResult(_view(original, original.response_text), _view(replayed, text))


def _request_body_of(call: StoredCall) -> dict[str, Any]:
    if isinstance(call.request_body, dict):
        return call.request_body
    record_id = call.record["id"]
    if call.record.get("source") == "ingest":
        raise SidecarError(
            f"record {record_id} was reported by a direct-mode client; its request was never stored",
            hint="Only calls made through the sidecar (providers.X.route: proxy, the default) can be replayed.",
        )
    raise SidecarError(
        f"the request of record {record_id} was not stored, so it cannot be replayed",
        hint="Turn on sidecar.storeBodies in llmdev.config.yaml (on by default) and make the call again; requests "
        "larger than sidecar.maxStoredBodyBytes are not stored either.",
    )


def _view(call: StoredCall, text: str | None) -> CallView:
    r = call.record
    prompt = None if r.get("promptName") is None else f"{r['promptName']}@{r.get('promptVersion')}"
    return CallView(
        id=r["id"],
        ts=r["ts"],
        provider=r["provider"],
        model=r["model"],
        response_model=r.get("responseModel"),
        stream=r["stream"],
        status=r["status"],
        text=text,
        usage=r["usage"],
        estimated=r["estimated"],
        cost_usd=r.get("costUsd"),
        latency_ms=r.get("latencyMs"),
        ttfb_ms=r.get("ttfbMs"),
        system_fingerprint=r.get("systemFingerprint"),
        prompt=prompt,
        params=r.get("params") or {},
    )
