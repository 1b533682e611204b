"""The pgvector searches are built once and name the answer's vector once."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

from embeddings.search import _category_query, _references_query


def compiled(statement):
    return statement.compile(dialect=postgresql.psycopg2.dialect())


def test_the_searches_are_built_once():
    assert _references_query(True) is _references_query(True)
    assert _references_query(False) is not _references_query(True)
    assert _category_query(3) is _category_query(3)


def test_experts_and_pitfalls_are_ranked_against_one_vector_parameter():
    for opening in (True, False):
        sql = compiled(_references_query(opening))
        assert str(sql).count("%(vector)s") == 2  # once in each branch of the union
        assert [name for name in sql.params if name.startswith("vector")] == ["vector"]
        assert ("%(beat)s" in str(sql)) is not opening  # the opening is the beat-less moment


def test_the_category_search_orders_by_the_distance_it_reports():
    sql = compiled(_category_query(3))
    assert [name for name in sql.params if name.startswith("vector")] == ["vector"]
    assert "ORDER BY expert_responses.embedding <=> %(vector)s" in str(sql)
