"""Settings from the workspace: the environment over `.env`, credentials from the variable, a
`*_FILE` variable or the Docker secret file, and secrets that stay masked in str, repr, f-strings,
logging and pickling."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path

import pytest

import llmdev


def test_dotenv_fills_in_what_the_environment_leaves_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("LLM_PROVIDER=anthropic\nLLM_MODEL=claude-sonnet-4-5\nLLM_TIMEOUT=5\nEXTRA_FOR_OTHERS=1\n")
    monkeypatch.delenv("EXTRA_FOR_OTHERS", raising=False)
    settings = llmdev.load_config(env={"LLM_MODEL": "claude-opus-4-1", "LLM_TIMEOUT": ""}, cwd=str(tmp_path))
    assert (settings.provider, settings.model, settings.timeout) == ("anthropic", "claude-opus-4-1", 5.0)
    assert "EXTRA_FOR_OTHERS" not in os.environ
    llmdev.load_config(env={}, cwd=str(tmp_path), populate_process_env=True)
    assert os.environ["EXTRA_FOR_OTHERS"] == "1"
    assert llmdev.model_for(settings, "openai") == llmdev.DEFAULT_MODELS["openai"]


def test_a_bad_value_in_dotenv_names_the_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LLM_MAX_RETRIES=lots\n")
    with pytest.raises(llmdev.ConfigError, match=r"LLM_MAX_RETRIES \(in \.env\): expected a whole number") as raised:
        llmdev.load_config(env={}, cwd=str(tmp_path))
    assert raised.value.issues[0].source == ".env"


def test_credentials_from_files_in_order(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "llmdev_token").write_text("from-the-secret-file-0123\n")
    settings = llmdev.load_config(env={}, cwd=str(tmp_path), env_file=False, secrets_dir=str(secrets))
    assert settings.token is not None and settings.token.reveal() == "from-the-secret-file-0123"
    (tmp_path / "token").write_text("from-the-named-file-4567")
    named = llmdev.load_config(env={"LLMDEV_TOKEN_FILE": "token"}, cwd=str(tmp_path), secrets_dir=str(secrets))
    assert named.token is not None and named.token.reveal() == "from-the-named-file-4567"
    assert named.token.source == f"LLMDEV_TOKEN_FILE ({tmp_path / 'token'})"
    with pytest.raises(llmdev.SecretError, match="which does not exist"):
        llmdev.load_config(env={"LLMDEV_TOKEN_FILE": "typo"}, cwd=str(tmp_path))


def test_a_direct_route_without_a_key_says_where_it_looked(tmp_path: Path) -> None:
    settings = llmdev.load_config(
        env={"LLMDEV_TOKEN": "t" * 20, "LLMDEV_OPENAI_ROUTE": "direct"}, env_file=False, secrets_dir=str(tmp_path)
    )
    with pytest.raises(llmdev.SecretError, match="no openai API key for the direct route; looked at: LLMDEV_OPENAI_KEY"):
        llmdev.create_openai(settings=settings)
    with pytest.raises(llmdev.SecretError, match="no llmdev sidecar token"):
        llmdev.create_openai(settings=llmdev.load_config(env={}, env_file=False, secrets_dir=str(tmp_path)))


def test_secrets_stay_masked(caplog: pytest.LogCaptureFixture) -> None:
    key = llmdev.Secret("sk-proj-abcdefghijklmnopqrstuvwxyz0123", "OPENAI_API_KEY_FILE (/run/secrets/openai_api_key)")
    settings = llmdev.load_config(env={"LLMDEV_TOKEN": "sk-proj-abcdefghijklmnopqrstuvwxyz0123"}, env_file=False)
    for text in (str(key), f"{key}", "%s" % key, repr(key), repr(settings), str(settings)):
        assert "abcdefghijklmnop" not in text
    assert "[secret]" in repr(settings)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)
    logger = logging.getLogger("llmdev-test")
    logger.addFilter(llmdev.SecretMaskingFilter([key]))
    with caplog.at_level(logging.INFO, logger="llmdev-test"):
        logger.info("calling with Authorization: Bearer %s", key.reveal())
        logger.info("settings %s", settings)
    assert "abcdefghijklmnop" not in caplog.text
    assert "Bearer [redacted]" in caplog.text
