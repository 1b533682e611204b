"""gunicorn's master warms the library once, with real MiniLM, and leaves no model to its workers."""

from __future__ import annotations

import pytest

from ai.signals import CACHE_SIZE, SCENARIO_VECTORS
from practicum import create_app
from practicum.db import session
from practicum.library import current_scenarios
from practicum.warmup import EXTENSION, warm_library_before_fork
from tests.conftest import test_config as app_config

pytestmark = pytest.mark.integration


def test_the_master_leaves_every_scenarios_vectors_and_no_embedder(real_app, database_url, tmp_path):
    master = create_app(app_config(tmp_path, database_url, EMBEDDING_BACKEND="onnx", LLM_BACKEND="llama_cpp"))
    with master.app_context():
        scenarios = len(current_scenarios(session))
        session.remove()
    SCENARIO_VECTORS.clear()
    warm_library_before_fork(master)
    assert len(SCENARIO_VECTORS) == min(scenarios, CACHE_SIZE) > 40  # the whole shipped library
    # Each worker loads its own model after the fork (a session made here would not survive it)
    # and reports its own warm-up.
    assert "practicum.embedder" not in master.extensions and EXTENSION not in master.extensions


def test_without_onnx_runtime_the_workers_warm_after_the_fork(real_app, database_url, tmp_path):
    master = create_app(app_config(tmp_path, database_url, EMBEDDING_BACKEND="fake"))
    SCENARIO_VECTORS.clear()
    warm_library_before_fork(master)
    assert len(SCENARIO_VECTORS) == 0
