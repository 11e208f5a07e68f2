"""Reading what the real sidecar stored, for assertions."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import llmdev
from llmdev.secret import Secret
from llmdev.sidecar_api import sidecar_request

from .sidecar import Sidecar


def access(sidecar: Sidecar) -> llmdev.SidecarAccess:
    return llmdev.SidecarAccess(sidecar.url, Secret(sidecar.token, "test"))


def records(sidecar: Sidecar, where: Callable[[Mapping[str, Any]], bool], count: int, timeout: float = 10.0) -> list[Any]:
    """The newest stored records matching `where`, once there are `count` of them (writes are batched)."""
    deadline = time.monotonic() + timeout
    while True:
        page = sidecar_request(access(sidecar), "GET", "/v1/usage/records", params={"limit": "500"}).json()
        found = [r for r in page["records"] if where(r)]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def tagged(key: str, value: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda record: record["tags"].get(key) == value


def proxy_settings(sidecar: Sidecar, **env: str) -> llmdev.ClientSettings:
    return llmdev.load_config(
        env={"LLMDEV_URL": sidecar.url, "LLMDEV_TOKEN": sidecar.token, **env}, env_file=False, secrets_dir="/nonexistent"
    )
