"""Vectors go to PostgreSQL as nine significant digits, which give back the same float32."""

from __future__ import annotations

import numpy as np
from sqlalchemy.dialects import postgresql

from practicum.models import Attempt, Embedding


def sent(value) -> str:
    return Embedding(3).bind_processor(postgresql.dialect())(value)


def test_a_vector_is_sent_as_nine_digits_and_read_back_as_the_same_float32():
    vector = np.random.default_rng(7).standard_normal(384).astype(np.float32) / 20
    text = sent(vector)
    parsed = np.array([float(x) for x in text[1:-1].split(",")], dtype=np.float32)
    assert np.array_equal(parsed, vector)
    assert len(text) < 15 * len(vector)  # nine digits, not float64's seventeen


def test_lists_and_none_are_sent_as_pgvector_sends_them():
    assert sent([0.5, 1.0, -2.0]) == "[0.5,1.0,-2.0]"
    assert sent(None) is None


def test_the_embedding_columns_use_it():
    assert isinstance(Attempt.__table__.c.response_embedding.type, Embedding)
