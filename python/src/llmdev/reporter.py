"""Direct-mode usage reporting, as the TypeScript client does it (src/client/reporter.ts): records
go into a bounded in-memory queue and one background thread sends them to the sidecar's
`POST /v1/usage` in batches, so reporting never blocks or fails the call it describes. Failed sends
are retried with exponential backoff and jitter (a `retry-after` wins); each record carries a
client-made id, so a batch that was stored but whose answer got lost is not stored twice. Beyond the
bound the OLDEST records are dropped (counted, with one warning). Pending records are flushed at
interpreter exit (atexit, for at most `exit_flush` seconds) and by an explicit `flush()`/`close()`."""

from __future__ import annotations

import atexit
import email.utils
import json
import random
import threading
import time
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .json_text import error_message
from .redact import redact
from .secret import Secret

UsageReport = Mapping[str, Any]


class LlmdevUsageWarning(UserWarning):
    """Usage could not be reported (sidecar unreachable, queue full, record refused)."""


@dataclass(frozen=True)
class ReporterStats:
    #: Waiting to be sent, including a batch in flight.
    pending: int
    #: Acknowledged by the sidecar (stored, or already stored).
    sent: int
    #: Dropped because the queue was full (or reported after close()).
    dropped: int
    #: Refused by the sidecar as invalid (a bug: reported in a warning).
    rejected: int
    #: Send attempts that failed and were retried.
    failed_attempts: int


def _warn(message: str) -> None:
    warnings.warn(message, LlmdevUsageWarning, stacklevel=2)


class UsageReporter:
    def __init__(
        self,
        url: str,
        token: Secret,
        *,
        max_queue: int = 10_000,
        batch_size: int = 100,
        batch_delay: float = 0.2,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
        request_timeout: float = 10.0,
        exit_flush: float = 5.0,
        client: httpx.Client | None = None,
        warn: Callable[[str], None] = _warn,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._endpoint = f"{url.rstrip('/')}/v1/usage"
        self._token = token
        self._max_queue = max(1, max_queue)
        self._batch_size = min(max(1, batch_size), self._max_queue)
        self._batch_delay = batch_delay
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._client = client or httpx.Client(timeout=request_timeout)
        self._warn_sink = warn
        self._new_id = new_id
        self._random = rand
        self._queue: deque[dict[str, Any]] = deque()
        self._in_flight = 0
        self._sent = self._dropped = self._rejected = self._failed_attempts = 0
        self._failures = 0
        self._warned_full = self._warned_down = False
        self._closed = False
        self._urgent = 0
        self._retry_after: float | None = None
        self._lock = threading.Condition()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="llmdev-usage-reporter", daemon=True)
        self._thread.start()
        self._exit_flush = exit_flush
        if exit_flush > 0:
            atexit.register(self._flush_at_exit)

    def report(self, record: UsageReport) -> None:
        """Queues a record; returns at once, never raises."""
        with self._lock:
            if self._closed:
                self._dropped += 1
                return
            queued = dict(record)
            queued.setdefault("id", self._new_id())
            self._queue.append(queued)
            self._trim()
            self._lock.notify_all()

    def stats(self) -> ReporterStats:
        with self._lock:
            return self._snapshot()

    def flush(self, timeout: float = 10.0) -> ReporterStats:
        """Sends what is queued now, retrying until it is delivered or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._urgent += 1
            self._wake.set()  # skip a gathering delay or backoff wait in progress: try now
            self._lock.notify_all()
            try:
                while (self._queue or self._in_flight) and not (self._closed and not self._thread.is_alive()):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._lock.wait(min(left, 0.05))
            finally:
                self._urgent -= 1
            return self._snapshot()

    def close(self, timeout: float = 10.0) -> ReporterStats:
        """Flushes, then stops: later reports are dropped."""
        result = self.flush(timeout)
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._wake.set()
        atexit.unregister(self._flush_at_exit)
        return result

    def _snapshot(self) -> ReporterStats:
        return ReporterStats(
            len(self._queue) + self._in_flight, self._sent, self._dropped, self._rejected, self._failed_attempts
        )

    def _warn(self, message: str) -> None:
        try:
            self._warn_sink(redact(f"llmdev: {message}", [self._token.reveal()]))
        except Exception:  # a broken warning sink must not stop reporting
            pass

    def _trim(self) -> None:
        # A batch in flight holds the oldest records and cannot be recalled: only the queue is
        # bounded; a failed batch comes back at its front and is trimmed first.
        while len(self._queue) > self._max_queue:
            self._queue.popleft()
            self._dropped += 1
            if not self._warned_full:
                self._warned_full = True
                self._warn(
                    f"usage queue full ({self._max_queue} records): dropping the oldest while the sidecar is "
                    "unreachable; see reporter.stats().dropped"
                )

    def _sleep(self, seconds: float) -> None:
        # A flush that came before this wait ends it at once: the event stays set until used.
        self._wake.wait(seconds)
        self._wake.clear()

    def _backoff(self) -> float:
        ceiling = min(self._retry_max, self._retry_initial * 2.0 ** min(self._failures - 1, 30))
        return ceiling / 2 + self._random() * ceiling / 2  # "equal jitter": never hammers, never waits forever

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._lock.wait()
                if self._closed and (not self._queue or self._urgent == 0):
                    self._lock.notify_all()
                    return
                failures, urgent, retry_after = self._failures, self._urgent, self._retry_after
            if failures > 0:
                self._sleep(retry_after if retry_after is not None else self._backoff())
            elif urgent == 0 and self._batch_delay > 0:
                self._sleep(self._batch_delay)
            with self._lock:
                batch = [self._queue.popleft() for _ in range(min(self._batch_size, len(self._queue)))]
                self._in_flight = len(batch)
            if not batch:
                continue
            outcome = self._send(batch)
            with self._lock:
                self._in_flight = 0
                if outcome is None:
                    self._failures, self._retry_after, self._warned_down = 0, None, False
                else:
                    reason, after = outcome
                    self._queue.extendleft(reversed(batch))  # back at the front: these are the oldest
                    self._trim()
                    self._failures += 1
                    self._failed_attempts += 1
                    self._retry_after = None if after is None else min(after, self._retry_max)
                    if not self._warned_down:
                        self._warned_down = True
                        self._warn(
                            f"cannot report usage to {self._endpoint} ({reason}); {len(self._queue)} record(s) kept, "
                            "retrying in the background"
                        )
                self._lock.notify_all()

    def _send(self, batch: list[dict[str, Any]]) -> tuple[str, float | None] | None:
        """None when done (stored, or refused for good); else why to retry and when."""
        # default=str: a caller's odd value (a Decimal, a datetime) must not stop the worker.
        content = json.dumps({"records": batch}, default=str)
        try:
            response = self._client.post(
                self._endpoint,
                headers={"authorization": f"Bearer {self._token.reveal()}", "content-type": "application/json"},
                content=content,
            )
        except Exception as error:  # network errors, or a client closed at interpreter shutdown: retry
            return f"{error.__class__.__name__}: {error}", None
        if response.is_success:
            self._sent += len(batch)
            return None
        if response.status_code in (408, 429) or response.status_code >= 500:
            return f"HTTP {response.status_code}", retry_after_seconds(response.headers.get("retry-after"))
        # 400 (invalid record), 401 (wrong token), 413...: retrying cannot help.
        self._rejected += len(batch)
        self._warn(
            f"the sidecar refused {len(batch)} usage record(s) with HTTP {response.status_code}: {error_message(response.text) or response.text[:300] or '(no message)'}"
        )
        return None

    def _flush_at_exit(self) -> None:
        with self._lock:
            pending = bool(self._queue or self._in_flight)
        if pending:
            result = self.flush(self._exit_flush)
            if result.pending > 0:
                self._warn(f"{result.pending} usage record(s) could not be reported before exit (sidecar unreachable)")


def retry_after_seconds(header: str | None, now: float | None = None) -> float | None:
    """`retry-after` in seconds or as an HTTP date; None when absent or unreadable."""
    if header is None or header.strip() == "":
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        at = email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, at - (time.time() if now is None else now))
