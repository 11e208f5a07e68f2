"""Every failure a user can act on is an LlmdevError: a message saying what went wrong and where,
and a hint saying how to fix it (the same classes as the TypeScript client's `llmdev/client`)."""

from __future__ import annotations

from dataclasses import dataclass


class LlmdevError(Exception):
    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n  hint: {self.hint}"


@dataclass(frozen=True)
class ConfigIssue:
    #: Where the bad value came from: `environment`, `.env` or a file name.
    source: str
    #: The variable or dotted path, e.g. `LLM_TIMEOUT`.
    path: str
    message: str


class ConfigError(LlmdevError):
    """A setting from the environment, `.env` or a prompt's front matter that does not validate."""

    def __init__(self, message: str, issues: list[ConfigIssue], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.issues = issues


class SecretError(LlmdevError):
    """A secret file or value that is missing or unreadable."""


class FileError(LlmdevError):
    """A file that cannot be read."""


class SidecarError(LlmdevError):
    """The sidecar cannot be reached, or answered with an error."""


class UsageError(LlmdevError):
    """A call of this library with arguments it cannot use."""
