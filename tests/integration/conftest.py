"""Integration fixtures: real PostgreSQL with pgvector, real MiniLM, real SmolLM2 (no fakes)."""

import pytest

from practicum import create_app, runtime
from practicum.db import session
from tests.conftest import clear_database, create_account, import_file, test_config

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def real_models(tmp_path_factory, database_url):
    """Load MiniLM and the SmolLM2 GGUF once for the whole run."""
    app = create_app(
        test_config(
            tmp_path_factory.mktemp("models"),
            database_url,
            EMBEDDING_BACKEND="onnx",
            LLM_BACKEND="llama_cpp",
        )
    )
    runtime.warm(app)
    return runtime.embedder(app), runtime.llm(app)


@pytest.fixture(scope="module")
def real_app(tmp_path_factory, database_url, engine, real_models):
    """An app on an empty database with both real models and the shipped library imported."""
    from scenarios.loader import shipped_set_files

    clear_database(engine)
    app = create_app(
        test_config(
            tmp_path_factory.mktemp("real"),
            database_url,
            EMBEDDING_BACKEND="onnx",
            LLM_BACKEND="llama_cpp",
        )
    )
    app.extensions["practicum.embedder"], app.extensions["practicum.llm"] = real_models
    for path in shipped_set_files():
        import_file(app, path)
    create_account(app, "rita", "trainee", "Cohort R")
    create_account(app, "ravi", "trainee", "Cohort R")
    yield app
    session.remove()
