"""Configuration comes only from the environment and refuses unsafe production settings."""

import pytest

from practicum.config import Config, ConfigError


def test_production_refuses_missing_secret(tmp_path):
    config = Config(
        {
            "PRACTICUM_ENV": "production",
            "DATABASE_URL": "postgresql://x/y",
            "PRACTICUM_INSTANCE_DIR": str(tmp_path),
        }
    )
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        config.resolve()


def test_production_refuses_short_secret(tmp_path):
    config = Config(
        {
            "PRACTICUM_ENV": "production",
            "DATABASE_URL": "postgresql://x/y",
            "SECRET_KEY": "short",
            "JWT_SECRET_KEY": "k" * 40,
            "PRACTICUM_INSTANCE_DIR": str(tmp_path),
        }
    )
    with pytest.raises(ConfigError, match="at least 32"):
        config.resolve()


def production(tmp_path, **settings: str) -> Config:
    """A production configuration with long secrets, and these settings."""
    return Config(
        {
            "PRACTICUM_ENV": "production",
            "DATABASE_URL": "postgresql://x/y",
            "SECRET_KEY": "s" * 40,
            "JWT_SECRET_KEY": "k" * 40,
            "PRACTICUM_INSTANCE_DIR": str(tmp_path),
            **settings,
        }
    )


def test_production_accepts_long_secrets(tmp_path):
    config = production(tmp_path).resolve()
    assert config.is_production and config.SECRET_KEY == "s" * 40


def test_development_secret_is_random_and_kept(tmp_path):
    first = Config({"PRACTICUM_INSTANCE_DIR": str(tmp_path)}).resolve()
    second = Config({"PRACTICUM_INSTANCE_DIR": str(tmp_path)}).resolve()
    assert len(first.SECRET_KEY) >= 32
    assert first.SECRET_KEY == second.SECRET_KEY
    assert first.SECRET_KEY != first.JWT_SECRET_KEY


def test_defaults_point_at_the_shipped_models(tmp_path):
    config = Config({"PRACTICUM_INSTANCE_DIR": str(tmp_path)}).resolve()
    assert config.LLM_MODEL_PATH.endswith(".gguf")
    assert "minilm" in config.EMBEDDING_MODEL.lower()
    assert config.LLM_BACKEND == "llama_cpp"
    assert config.RATELIMIT_STORAGE_URI == "memory://"


def test_the_openai_backend_does_not_name_the_local_gguf_as_its_model(tmp_path):
    config = Config({"LLM_BACKEND": "openai", "PRACTICUM_INSTANCE_DIR": str(tmp_path)}).resolve()
    assert config.LLM_MODEL_PATH == ""  # the client asks the server for its model instead


def test_unknown_llm_backend_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="LLM_BACKEND"):
        Config({"LLM_BACKEND": "magic", "PRACTICUM_INSTANCE_DIR": str(tmp_path)}).resolve()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LLM_MAX_TOKENS", "sixty"),
        ("LLM_THREADS", "0"),
        ("WEB_SESSION_HOURS", "-1"),
        ("LLM_TIME_LIMIT_S", "soon"),
        ("LLM_TIME_LIMIT_S", "nan"),
        ("LLM_TIME_LIMIT_S", "inf"),
    ],
)
def test_a_number_setting_that_is_not_one_names_the_variable(name, value):
    with pytest.raises(ConfigError, match=f"{name} must be a"):
        Config({name: value})


def test_number_settings_are_read(tmp_path):
    config = Config({"LLM_MAX_TOKENS": " 80 ", "LLM_TIME_LIMIT_S": "2.5", "ATTENTION_LOW_AVERAGE": "0"})
    assert (config.LLM_MAX_TOKENS, config.LLM_TIME_LIMIT_S, config.ATTENTION_LOW_AVERAGE) == (80, 2.5, 0)


@pytest.mark.parametrize("name", ["LLM_BACKEND", "EMBEDDING_BACKEND"])
def test_production_refuses_fake_models(tmp_path, name):
    with pytest.raises(ConfigError, match=f"{name}=fake"):
        production(tmp_path, **{name: "fake"}).resolve()


def test_an_unknown_embedding_backend_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="EMBEDDING_BACKEND"):
        Config({"EMBEDDING_BACKEND": "minilm", "PRACTICUM_INSTANCE_DIR": str(tmp_path)}).resolve()


def test_one_worker_while_rate_limits_live_in_memory_one_a_core_with_redis(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    alone = Config({})
    assert (alone.WEB_WORKERS, alone.LLM_THREADS) == (1, 1)
    shared = Config({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert (shared.WEB_WORKERS, shared.LLM_THREADS) == (2, 1)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert Config({}).LLM_THREADS == 7
    assert Config({"RATELIMIT_STORAGE_URI": "redis://r:6379/0", "WEB_WORKERS": "2"}).LLM_THREADS == 3
    many = Config({"RATELIMIT_STORAGE_URI": "redis://r:6379/0"})  # each holds its models: 4 at most
    assert (many.WEB_WORKERS, many.LLM_THREADS) == (4, 1)


def test_minilm_keeps_torchs_threads_alone_and_shares_the_cores_out_between_workers(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert Config({}).EMBEDDING_THREADS == 0  # torch's own default
    assert Config({"RATELIMIT_STORAGE_URI": "redis://r:6379/0"}).EMBEDDING_THREADS == 1
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert Config({"RATELIMIT_STORAGE_URI": "redis://r:6379/0"}).EMBEDDING_THREADS == 2
    assert (
        Config({"RATELIMIT_STORAGE_URI": "redis://r:6379/0", "EMBEDDING_THREADS": "3"}).EMBEDDING_THREADS == 3
    )
    with pytest.raises(ConfigError, match="EMBEDDING_THREADS must be a whole number of at least 0"):
        Config({"EMBEDDING_THREADS": "-1"})


def test_production_refuses_several_workers_counting_limits_apart(tmp_path):
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        production(tmp_path, WEB_WORKERS="2").resolve()
    production(tmp_path, WEB_WORKERS="2", RATELIMIT_STORAGE_URI="redis://r:6379/0").resolve()
    production(tmp_path, WEB_WORKERS="1").resolve()


def test_answers_are_ordered_across_workers_on_the_rate_limits_redis_unless_told_otherwise():
    assert Config({}).LLM_ORDER_URL == ""  # one worker: its own lock orders its answers
    assert Config({"RATELIMIT_STORAGE_URI": "redis://r:6379/0"}).LLM_ORDER_URL == "redis://r:6379/0"
    own = {"RATELIMIT_STORAGE_URI": "redis://r:6379/0", "LLM_ORDER_URL": "redis://q:6379/1"}
    assert Config(own).LLM_ORDER_URL == "redis://q:6379/1"
    assert Config({"RATELIMIT_STORAGE_URI": "redis://r:6379/0", "LLM_ORDER_URL": "none"}).LLM_ORDER_URL == ""
    assert Config({"RATELIMIT_STORAGE_URI": "memcached://m:11211"}).LLM_ORDER_URL == ""
