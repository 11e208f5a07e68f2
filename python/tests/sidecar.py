"""The real sidecar in a child process, started the way the container runs it
(`node dist/cli/main.js sidecar`, as test/integration/reliability/lib/sidecar-process.ts does): a
project folder with a config, the token as a secret file, a data folder with its own usage.db, on a
free port. Without provider keys both providers are the sidecar's built-in mock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TOKEN = "python-tests-token-0123456789abcdef"


@dataclass(frozen=True)
class Sidecar:
    url: str
    token: str
    project: Path
    logs: list[str]


@contextmanager
def start_sidecar(repo: Path, project: Path, *, timeout: float = 60.0) -> Iterator[Sidecar]:
    cli = repo / "dist" / "cli" / "main.js"
    if not cli.exists():
        raise RuntimeError(f"{cli} is missing: run `npm run build` (or `make build`) first")
    secrets = project / "secrets"
    secrets.mkdir(mode=0o700)
    (secrets / "llmdev_token").write_text(TOKEN)
    (secrets / "llmdev_token").chmod(0o600)
    config = project / "llmdev.config.yaml"
    # JSON is YAML: no YAML writer needed for a config this small.
    config.write_text(json.dumps({"project": {"name": "python-tests"}, "sidecar": {"logLevel": "info"}}))
    child = subprocess.Popen(
        ["node", str(cli), "sidecar", "--config", str(config), "--port", "0", "--host", "127.0.0.1",
         "--data", str(project / "data"), "--secrets", str(secrets)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=project,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )  # fmt: skip
    logs: list[str] = []
    listening = threading.Event()
    address: list[str] = []

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            logs.append(line.rstrip("\n"))
            if "llmdev sidecar listening" in line and not listening.is_set():
                address.append(json.loads(line)["address"])
                listening.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not listening.wait(0.1):
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            raise RuntimeError("the sidecar did not start:\n" + "\n".join(logs[-30:]))
    try:
        yield Sidecar(f"http://{address[0]}", TOKEN, project, logs)
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
