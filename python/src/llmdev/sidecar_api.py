"""Reading the sidecar's usage API with the sidecar token (src/client/sidecar-api.ts): one stored
call, and the usage summary. Network failures and error answers become SidecarErrors that say what
to check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from .errors import SecretError, SidecarError
from .json_text import error_message
from .secret import Secret
from .settings import ClientSettings, load_config


@dataclass(frozen=True)
class SidecarAccess:
    #: e.g. http://127.0.0.1:4100
    url: str
    token: Secret
    client: httpx.Client | None = None

    @classmethod
    def from_settings(cls, settings: ClientSettings | None = None) -> SidecarAccess:
        """The sidecar of the client settings (LLMDEV_URL, and the token from LLMDEV_TOKEN[_FILE] or
        /run/secrets/llmdev_token; on the host: LLMDEV_URL=http://127.0.0.1:4100 and
        LLMDEV_TOKEN_FILE=.secrets/llmdev_token)."""
        chosen = settings or load_config()
        if chosen.token is None:
            raise SecretError(
                f"no llmdev sidecar token; looked at: {', '.join(chosen.lookups['token'])}",
                hint="In the workspace LLMDEV_TOKEN_FILE is set for you; on the host point LLMDEV_TOKEN_FILE at "
                ".secrets/llmdev_token (`llmdev up` creates it).",
            )
        return cls(chosen.sidecar_url, chosen.token)


@dataclass(frozen=True)
class StoredCall:
    #: The usage record as the sidecar stores it (camelCase keys, as `GET /v1/usage/records/<id>` sends it).
    record: Mapping[str, Any]
    #: The request body the client sent (JSON), or None when it was not stored.
    request_body: object
    #: The answer's text (capped like bodies), or None when it was not stored.
    response_text: str | None


def sidecar_request(
    access: SidecarAccess,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    params: Mapping[str, str] | None = None,
) -> httpx.Response:
    sent = {k.lower(): v for k, v in (headers or {}).items()}
    if "authorization" not in sent and "x-api-key" not in sent:
        sent["authorization"] = f"Bearer {access.token.reveal()}"
    client = access.client or httpx.Client(timeout=120)
    try:
        return client.request(
            method, f"{access.url.rstrip('/')}{path}", headers=sent, content=content, params=params
        )
    except httpx.HTTPError as error:
        raise SidecarError(
            f"cannot reach the llmdev sidecar at {access.url} ({error.__class__.__name__}: {error})",
            hint="Is it running? `llmdev status` shows it; `make up` (or `llmdev up`) starts it.",
        ) from error
    finally:
        if access.client is None:
            client.close()


def get_stored_call(access: SidecarAccess, record_id: str) -> StoredCall:
    """`GET /v1/usage/records/<id>`."""
    response = sidecar_request(access, "GET", f"/v1/usage/records/{quote(record_id, safe='')}")
    if response.status_code == 404:
        raise SidecarError(
            f"no usage record {record_id} in the sidecar at {access.url}",
            hint="A call's record id is its x-llmdev-request-id response header; GET /v1/usage/records lists them.",
        )
    if not response.is_success:
        raise answer_error(access, response, f"reading usage record {record_id}")
    body = response.json()
    return StoredCall(body["record"], body.get("requestBody"), body.get("responseText"))


def get_usage_summary(access: SidecarAccess, **query: str) -> Mapping[str, Any]:
    """`GET /v1/usage/summary` with its query (`since="2026-06-01"`, `until=...`, `group_by="model"`,
    `tag=...`): spend, tokens and calls as the sidecar totals them, the figures `llmdev usage` shows."""
    response = sidecar_request(access, "GET", "/v1/usage/summary", params=query)
    if not response.is_success:
        raise answer_error(access, response, "reading the usage summary")
    summary: Mapping[str, Any] = response.json()
    return summary


def answer_error(access: SidecarAccess, response: httpx.Response, doing: str) -> SidecarError:
    message = error_message(response.text) or response.text[:500]
    hint = (
        "The sidecar token does not match: use the contents of .secrets/llmdev_token (LLMDEV_TOKEN_FILE)."
        if response.status_code == 401
        else "See the sidecar log: `llmdev logs usage-logger`."
    )
    return SidecarError(f"{doing}: the sidecar at {access.url} answered HTTP {response.status_code}: {message}", hint=hint)
