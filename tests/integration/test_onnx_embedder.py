"""MiniLM run by ONNX Runtime: the vectors torch gives, one checked export a cache, torch as fallback."""

import threading

import numpy as np
import pytest

from ai.signals import sentences
from bench.graded import load_graded
from embeddings import onnx_embedder
from embeddings.embedder import SentenceTransformerEmbedder, build_embedder
from embeddings.onnx_embedder import OnnxEmbedder
from practicum.config import default_embedding_model_path

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def torch_minilm():
    return SentenceTransformerEmbedder(default_embedding_model_path())


@pytest.fixture(scope="module")
def served():
    embedder = build_embedder("onnx", default_embedding_model_path())
    assert embedder.load().runtime == "onnx"
    return embedder


def test_onnx_vectors_are_torchs_on_graded_answers_of_every_scenario_and_style(served, torch_minilm):
    """One graded answer of each style in every scenario (the longest of the set among them),
    batched as scoring batches them, plus one past 256 tokens.

    Every answer of the set took 112 s of `make test` at 1,410 answers, and the set keeps growing;
    one of each style (terse to rambling, non-native) in each scenario, 282 answers, took 32 s.
    """
    answers = load_graded()
    chosen = {(a.moment.ref, a.style): a for a in answers}
    texts = [a.text for a in chosen.values()] + [max((a.text for a in answers), key=len)]
    assert len(texts) > 200 and len({ref for ref, _ in chosen}) == len({a.moment.ref for a in answers})
    batches = [sentences(t)[:12] or [t] for t in texts]
    batches.append(["word " * 400, "Short one."])
    worst = 1.0
    for batch in batches:
        ours, theirs = served.embed_batch(batch), torch_minilm.embed_batch(batch)
        assert ours.shape == theirs.shape == (len(batch), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        worst = min(worst, float(np.min(np.sum(ours * theirs, axis=1))))
    assert worst > 0.99999
    assert served.model_id == torch_minilm.model_id  # stored vectors stay valid


def test_rows_come_back_in_the_order_asked(served):
    texts = ["A much longer sentence about comparing decimals and tenths.", "Hi.", "Medium length text."]
    together = served.embed_batch(texts)
    for text, row in zip(texts, together, strict=True):
        assert float(row @ served.embed(text)) > 0.99999
    # The runtime's own call (what make bench times as raw encode) gives the same rows.
    assert np.allclose(served.load().encode(texts, batch_size=2), together, atol=1e-5)


def test_batches_by_length_give_the_vectors_of_one_padded_batch(served):
    # Split by length, short sentences are no longer run at the longest text's length; padding
    # is masked, so the vectors are those of one padded batch.
    answer = (
        "Okay. I can see you've worked hard on this graph, Kwame, and the pattern in your data is "
        "really clear, so let's look at what it can and can't tell us before you write it up. "
        "Who tends to eat breakfast? What else might those families do? Write down two other "
        "things that could explain it, then we'll decide how to word your conclusion."
    )
    texts = [answer, *sentences(answer)]
    assert len(onnx_embedder.length_groups([len(t) for t in texts], served.batch_size)) > 1
    one_batch = onnx_embedder.pooled(served.load()._session, served._tokenizer, texts)
    assert np.allclose(served.embed_batch(texts), one_batch, atol=1e-6)


def test_workers_starting_together_export_once_and_restarts_reuse_it(tmp_path, monkeypatch):
    calls = []
    real_export = onnx_embedder.export_onnx

    def counted(model_path, path):
        calls.append(path)
        return real_export(model_path, path)

    monkeypatch.setattr(onnx_embedder, "export_onnx", counted)
    workers = [OnnxEmbedder(default_embedding_model_path(), str(tmp_path), threads=1) for _ in range(2)]
    threads = [threading.Thread(target=w.load) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [w.runtime for w in workers] == ["onnx", "onnx"]
    assert len(calls) == 1
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".onnx"] == [
        onnx_embedder.export_name(default_embedding_model_path())
    ]
    assert not list(tmp_path.glob("*.partial"))
    restarted = OnnxEmbedder(default_embedding_model_path(), str(tmp_path))
    restarted.load()
    assert len(calls) == 1 and restarted.runtime == "onnx"


def test_an_export_that_disagrees_with_torch_is_thrown_away_and_torch_serves(
    tmp_path, monkeypatch, torch_minilm
):
    monkeypatch.setattr(onnx_embedder, "EXPORT_AGREEMENT", 1.5)  # no export can pass this
    embedder = OnnxEmbedder(default_embedding_model_path(), str(tmp_path))
    vector = embedder.embed("Let's look at the first step together.")
    assert embedder.runtime == "sentence_transformers"
    assert not list(tmp_path.glob("*.onnx")) and not list(tmp_path.glob("*.partial"))
    assert float(vector @ torch_minilm.embed("Let's look at the first step together.")) > 0.99999


def test_a_cache_folder_that_cannot_be_written_falls_back_to_torch(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    embedder = OnnxEmbedder(default_embedding_model_path(), str(blocked / "cache"))
    assert embedder.embed("Thanks for telling me.").shape == (384,)
    assert embedder.runtime == "sentence_transformers"


def test_a_folder_that_is_not_mean_pooled_is_refused(tmp_path):
    (tmp_path / "modules.json").write_text('[{"type": "sentence_transformers.models.Transformer"}]')
    with pytest.raises(onnx_embedder.EmbeddingUnavailable):
        onnx_embedder.sentence_transformers_layout(str(tmp_path))


def test_readiness_names_the_runtime_that_serves(make_app, tmp_path, monkeypatch):
    from practicum import runtime

    app = make_app(EMBEDDING_BACKEND="onnx")
    runtime.warm(app)
    assert app.test_client().get("/readyz").get_json()["embedding"]["runtime"] == "onnx"
    monkeypatch.setattr(onnx_embedder, "EXPORT_AGREEMENT", 1.5)
    fallen = make_app(EMBEDDING_BACKEND="onnx", EMBEDDING_CACHE_DIR=str(tmp_path))
    runtime.warm(fallen)
    body = fallen.test_client().get("/readyz").get_json()
    assert body["status"] == "ready" and body["embedding"]["runtime"] == "sentence_transformers"
