"""Which server and key: arguments, then SORA_NB_*, then OPENAI_*, else the bundled server."""

from __future__ import annotations

import warnings

import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.config import RetiredEndpointWarning, normalize_base_url, resolve_server

ENV = {
    "SORA_NB_BASE_URL": "http://sora-gw.test:4000",
    "SORA_NB_API_KEY": "sk-sora",
    "OPENAI_BASE_URL": "http://openai-gw.test/v1",
    "OPENAI_API_KEY": "sk-openai",
}


def test_arguments_win_over_the_environment() -> None:
    config = resolve_server("http://mine.test/v1", "sk-mine", environ=ENV)
    assert config.base_url == "http://mine.test/v1"
    assert config.api_key_value() == "sk-mine"


def test_sora_nb_variables_win_over_openai_ones() -> None:
    config = resolve_server(environ=ENV)
    assert config.base_url == "http://sora-gw.test:4000/v1"
    assert config.api_key_value() == "sk-sora"


def test_openai_variables_are_the_fallback() -> None:
    env = {k: v for k, v in ENV.items() if k.startswith("OPENAI")}
    config = resolve_server(environ=env)
    assert (config.base_url, config.api_key_value()) == ("http://openai-gw.test/v1", "sk-openai")
    mixed = resolve_server(environ={"SORA_NB_BASE_URL": "http://x.test", "OPENAI_API_KEY": "k"})
    assert mixed.api_key_value() == "k"


def test_with_no_server_configured_the_bundled_server_is_meant_and_no_env_key_goes_along() -> None:
    config = resolve_server(environ={"OPENAI_API_KEY": "sk-openai"})
    assert config.uses_bundled and config.base_url is None
    assert config.api_key is None
    assert resolve_server(api_key="sk-local", environ={}).api_key_value() == "sk-local"
    with pytest.raises(errors.ConfigurationError, match="bundled server"):
        VideosClient.from_config(config)


def test_organization_project_and_a_pasted_key_with_a_newline() -> None:
    env = {"OPENAI_ORG_ID": "org-1", "OPENAI_PROJECT_ID": "proj-1"}
    config = resolve_server("http://x.test/v1", "sk-abc\n", environ=env)
    assert (config.organization, config.project) == ("org-1", "proj-1")
    assert config.api_key_value() == "sk-abc"
    assert resolve_server("http://x.test/v1", "  ", environ={}).api_key is None


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("http://localhost:4000", "http://localhost:4000/v1"),
        ("http://localhost:4000/", "http://localhost:4000/v1"),
        ("https://gw.test/v1/", "https://gw.test/v1"),
        ("https://gw.test/v1/videos", "https://gw.test/v1"),
        ("https://x.openai.azure.com/openai/v1", "https://x.openai.azure.com/openai/v1"),
    ],
)
def test_base_urls_are_normalised_to_the_part_before_videos(given: str, base: str) -> None:
    assert normalize_base_url(given) == base


@pytest.mark.parametrize(
    "bad", ["localhost:4000", "ftp://x.test", "http://", "http://x.test/v1?a=1"]
)
def test_a_malformed_base_url_is_refused_with_an_example(bad: str) -> None:
    with pytest.raises(errors.ConfigurationError, match=r"like http://localhost:4000/v1"):
        normalize_base_url(bad)


def test_azure_hosts_default_to_the_api_key_header() -> None:
    azure = resolve_server("https://studio.openai.azure.com/openai/v1", "k", environ={})
    assert azure.auth == "api-key"
    assert resolve_server("http://gw.test", "k", environ={}).auth == "bearer"
    assert resolve_server("http://gw.test", "k", auth="api-key", environ={}).auth == "api-key"


def test_pointing_at_api_openai_com_warns_that_it_was_retired() -> None:
    with pytest.warns(RetiredEndpointWarning, match="2026-09-24"):
        config = resolve_server("https://api.openai.com/v1", "k", environ={})
    with pytest.warns(RetiredEndpointWarning, match="LiteLLM proxy"):
        VideosClient("https://api.openai.com/v1", "k")
    # from_config does not warn a second time for what resolve_server already warned about.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = VideosClient.from_config(config)
    assert client.base_url == "https://api.openai.com/v1"


def test_other_hosts_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resolve_server("http://localhost:4000", environ={})
        VideosClient("http://localhost:4000")


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SORA_NB_BASE_URL", "http://env-gw.test:4000")
    monkeypatch.setenv("SORA_NB_API_KEY", "sk-env")
    client = VideosClient.from_env()
    assert client.base_url == "http://env-gw.test:4000/v1"
    assert "sk-env" not in repr(client)


def test_the_dialect_is_set_by_argument_or_sora_nb_dialect_and_checked() -> None:
    env = {"SORA_NB_BASE_URL": "http://gpu.lab:8000", "SORA_NB_DIALECT": "vllm"}
    config = resolve_server(environ=env)
    assert config.dialect == "vllm-omni"
    assert VideosClient.from_config(config).dialect.name == "vllm-omni"  # type: ignore[union-attr]
    assert resolve_server(dialect="SGLang", environ=env).dialect == "sglang"
    # With no server configured the bundled one answers, whatever SORA_NB_DIALECT says.
    assert resolve_server(environ={"SORA_NB_DIALECT": "sglang"}).dialect is None
    with pytest.raises(errors.ConfigurationError, match=r"no dialect called 'vlm'.*vllm-omni"):
        resolve_server(environ={**env, "SORA_NB_DIALECT": "vlm"})
