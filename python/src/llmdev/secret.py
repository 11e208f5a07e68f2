"""A credential that cannot leak by accident: `str`, `repr`, f-strings, `%` formatting, `json` via
`default=str`, logging and pickling all see a mask. The value is only available through an explicit
`.reveal()`, which makes every use of it easy to find."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import NoReturn

from .redact import redact

SECRET_MASK = "[secret]"


class Secret:
    __slots__ = ("__value", "source")

    def __init__(self, value: str, source: str) -> None:
        self.__value = value
        #: Where the value came from, e.g. `LLMDEV_TOKEN_FILE (/run/secrets/llmdev_token)`; never the value.
        self.source = source

    def reveal(self) -> str:
        """The value itself: pass it to the one place that needs it, never to a log."""
        return self.__value

    def __str__(self) -> str:
        return SECRET_MASK

    def __repr__(self) -> str:
        return f"Secret({SECRET_MASK} from {self.source})"

    def __format__(self, spec: str) -> str:
        return SECRET_MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.__value == self.__value

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled: pass secret.reveal() where the value is needed")


class SecretMaskingFilter(logging.Filter):
    """Masks the given secrets' values (and key-shaped strings) in every record passing the logger or
    handler it is added to, e.g. the SDKs' debug logs of request headers."""

    def __init__(self, secrets: Iterable[Secret | None]) -> None:
        super().__init__()
        self._values = sorted({s.reveal() for s in secrets if s is not None and s.reveal()}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._values:
            return True
        text = record.getMessage()
        masked = redact(text, self._values)
        if masked != text:
            record.msg, record.args = masked, None
        return True
