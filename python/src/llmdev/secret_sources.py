"""Where client credentials come from, first found wins (as in the TypeScript client): the variable
itself (`LLMDEV_TOKEN`), a file named by a `*_FILE` variable (`LLMDEV_TOKEN_FILE`), then a
Docker/Compose secret file (`/run/secrets/llmdev_token`). Values are trimmed and wrapped in a Secret;
an empty file counts as "no value". What was tried is kept (never a value) for error messages."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .errors import SecretError
from .secret import Secret

ReadText = Callable[[str], str]


def read_text(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


@dataclass(frozen=True)
class SecretLookup:
    secret: Secret | None
    #: Where it was looked for, in order, e.g. `LLMDEV_TOKEN_FILE (not set)`.
    tried: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SecretContext:
    vars: Mapping[str, str]
    #: Which variables came from `.env` (for messages).
    from_dotenv: frozenset[str]
    cwd: str
    read_text: ReadText = read_text


def lookup_secret(
    variable: str,
    ctx: SecretContext,
    *,
    file_variables: Sequence[str] = (),
    default_file: str | None = None,
) -> SecretLookup:
    tried: list[str] = []

    def origin(name: str) -> str:
        return f"{name} in .env" if name in ctx.from_dotenv else name

    direct = ctx.vars.get(variable)
    if direct is not None and direct.strip() != "":
        return SecretLookup(Secret(direct.strip(), origin(variable)), tried)
    tried.append(f"{variable} (not set)")
    for name in (f"{variable}_FILE", *file_variables):
        named = ctx.vars.get(name)
        if named is None:
            tried.append(f"{name} (not set)")
            continue
        path = named if os.path.isabs(named) else os.path.normpath(os.path.join(ctx.cwd, named))
        text = _read_named_file(path, name, origin(name), ctx)
        if text != "":
            return SecretLookup(Secret(text, f"{origin(name)} ({path})"), tried)
        tried.append(f"{name} → {path} (empty)")
    if default_file is not None:
        found = _read_optional_file(default_file, ctx.read_text)
        if found:
            return SecretLookup(Secret(found, default_file), tried)
        tried.append(f"{default_file} ({'no such file' if found is None else 'empty'})")
    return SecretLookup(None, tried)


def _read_named_file(path: str, variable: str, origin: str, ctx: SecretContext) -> str:
    """A file a variable points at must exist: a typo in the path must not pass for "no key"."""
    try:
        return ctx.read_text(path).strip()
    except OSError as error:
        what = (
            "which does not exist"
            if error.errno == errno.ENOENT
            else "which this user cannot read"
            if error.errno == errno.EACCES
            else f"({errno.errorcode.get(error.errno or 0, error.__class__.__name__)})"
        )
        raise SecretError(
            f"{origin} names {path}, {what}",
            hint=f"Point {variable} at the file holding the value (a relative path counts from {ctx.cwd}), or unset it.",
        ) from error


def _read_optional_file(path: str, read: ReadText) -> str | None:
    """None: no such file. Other read errors are reported: a secret file we may not read is a setup bug."""
    try:
        return read(path).strip()
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        code = errno.errorcode.get(error.errno or 0, error.__class__.__name__)
        raise SecretError(
            f"cannot read {path} ({code})",
            hint="Secret files must be readable by the user running this code (in the workspace: uid 1000).",
        ) from error
