"""Prompt files from a folder: loading, versions in the `x-llmdev-prompt` header of a real call,
and errors that name the file and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

import llmdev

from .helpers import proxy_settings, records, tagged
from .sidecar import Sidecar


def test_a_prompt_file_drives_a_logged_call(tmp_path: Path, sidecar: Sidecar) -> None:
    (tmp_path / "greet.md").write_text("---\nmodel: gpt-4o-mini\nversion: 4\nparams:\n  temperature: 0.1\n---\nGreet {{who}}.\n")
    prompt = llmdev.load_prompt("greet", dir=str(tmp_path))
    assert prompt.version.startswith("4+") and prompt.id == f"greet@{prompt.version}"
    client = llmdev.create_openai(settings=proxy_settings(sidecar), tags={"suite": "prompts"})
    client.chat.completions.create(**prompt.openai({"who": "Ada"}), **llmdev.call_options(client, prompt=prompt))
    [stored] = records(sidecar, tagged("suite", "prompts"), 1)
    assert (stored["promptName"], stored["promptVersion"]) == ("greet", prompt.version)
    assert stored["params"]["temperature"] == 0.1


def test_prompt_errors_say_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(llmdev.FileError, match="no such file"):
        llmdev.load_prompt("missing", dir=str(tmp_path))
    with pytest.raises(llmdev.UsageError, match="is not a file name"):
        llmdev.load_prompt("../etc/passwd", dir=str(tmp_path))
    (tmp_path / "broken.md").write_text("---\nmodel: [unclosed\n---\nHi\n")
    with pytest.raises(llmdev.ConfigError, match="not valid YAML"):
        llmdev.load_prompt("broken", dir=str(tmp_path))
    (tmp_path / "nomodel.md").write_text("Hi {{name}}\n")
    prompt = llmdev.load_prompt("nomodel", dir=str(tmp_path))
    with pytest.raises(llmdev.UsageError, match="names no model"):
        prompt.openai({"name": "x"})
    with pytest.raises(llmdev.UsageError, match=r"no value for \{\{name\}\}"):
        prompt.render()
