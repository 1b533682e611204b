"""Language-model backends behind one small interface: stream the tokens of a chat reply."""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from ai.fair_lock import FairLock
from ai.model_health import ModelHealth
from ai.model_queue import SharedModelQueue
from ai.sentence_shape import SentenceShape, ShapeMasks, token_text
from practicum.errors import ModelUnavailable

# Both backends sample alike, so a served GGUF writes what the same GGUF in-process does.
REPEAT_PENALTY = 1.3
PROBE_TIMEOUT_S = 0.5  # readiness asks an OpenAI-compatible server this long at most
PROBE_EVERY_S = 10.0  # and at most this often


class LLM(ABC):
    """A chat model that streams its reply as text pieces."""

    model_id: str = "abstract"

    @abstractmethod
    def stream_chat(
        self, messages: list[dict], max_tokens: int, grammar: str | SentenceShape | None = None
    ) -> Iterator[str]:
        """Yield the reply's text pieces as the model writes them.

        `grammar` is GBNF text or a SentenceShape (sent to servers as its GBNF).
        """

    @property
    def loaded(self) -> bool:
        """Tell whether the model is ready to answer."""
        return True

    def load(self) -> None:  # noqa: B027 — optional hook; remote and fake models need no loading
        """Load the model now rather than on the first request."""

    def reachable(self) -> bool:
        """Tell whether the model can answer now (a remote server may be down)."""
        return True

    def waiting(self) -> tuple[int, str] | None:
        """Replies waiting for the model to start them, and whose ("shared" or "worker"); None if unknown."""
        return None

    def stop_serving(self, wait_s: float) -> None:  # noqa: B027 — only a model serving a shared queue stops
        """Take no more replies queued by other processes; finish the one being written (on exit)."""

    @property
    def health(self) -> ModelHealth:
        """What this model's recent generations did (kept per process, for readiness)."""
        if "_health" not in self.__dict__:
            self.__dict__["_health"] = ModelHealth()
        return self.__dict__["_health"]


@contextmanager
def _without_weight_repacking():
    """Load GGUF weights without llama.cpp's extra (repacked) buffer types.

    A native build on a processor with AMX routes matrix products through its AMX buffer type,
    which crashed with SIGSEGV at the first decode on this project's machines; the plain CPU
    kernels (AVX-512/AVX2) run the same model at about 100 tokens/s. Llama() offers no argument
    for `use_extra_bufts`, so the default-parameters factory is wrapped while the model loads.
    """
    import llama_cpp.llama_cpp as native

    original = native.llama_model_default_params

    def params_without_extra_buffers():
        params = original()
        params.use_extra_bufts = False
        return params

    native.llama_model_default_params = params_without_extra_buffers
    try:
        yield
    finally:
        native.llama_model_default_params = original


class LlamaCppLLM(LLM):
    """A GGUF run in-process by llama.cpp; loaded once per process."""

    def __init__(
        self,
        model_path: str,
        threads: int = 2,
        context: int = 2048,
        seed: int = 7,
        queue_wait_s: float = 60,
        order_url: str = "",
    ):
        if not model_path or not os.path.isfile(model_path):
            raise ModelUnavailable(f"GGUF model not found: {model_path!r}")
        self.model_path = model_path
        self.model_id = os.path.basename(model_path)
        self.threads, self.context, self.seed = threads, context, seed
        self.queue_wait_s = queue_wait_s
        self._llama = None
        self._grammars: dict[str, object] = {}
        self._shapes: dict[SentenceShape, ShapeMasks] = {}
        # llama.cpp contexts are not thread-safe: one generation at a time per process, taken
        # in arrival order so that under load no trainee is overtaken again and again; with a
        # Redis at order_url, one queue for every worker, served by whichever model is free.
        self._lock = FairLock()
        self._queue = SharedModelQueue(order_url) if order_url else None
        self._serving_pid, self._serving = 0, None
        self._stop_serving = threading.Event()

    @property
    def loaded(self) -> bool:
        return self._llama is not None

    def load(self) -> None:
        """Load the GGUF weights (once), and take this process's share of a shared queue."""
        with self._lock:
            self._load_unlocked()
        self._serve_queue()

    def _serve_queue(self) -> None:
        """Start this process's thread that writes queued replies (once per process: forks lose it)."""
        if self._queue is None or self._serving_pid == os.getpid():
            return
        with self._lock:
            if self._serving_pid != os.getpid():
                self._serving_pid, self._stop_serving = os.getpid(), threading.Event()
                self._serving = threading.Thread(
                    target=self._queue.serve,
                    args=(self._write_job, self._stop_serving),
                    name="model-queue",
                    daemon=True,
                )
                self._serving.start()

    def stop_serving(self, wait_s: float) -> None:
        """Take no more queued replies; wait up to wait_s for the one being written (a worker's exit)."""
        self._stop_serving.set()
        if self._serving is not None and self._serving_pid == os.getpid():
            self._serving.join(wait_s)

    def waiting(self) -> tuple[int, str] | None:
        """Replies no model has started: every worker's in the shared queue, else this process's."""
        if self._queue is not None:
            return self._queue.waiting(), "shared"
        return max(0, self._lock.waiting() - 1), "worker"  # the lock's count includes the one writing

    def _write_job(self, job: dict) -> Iterator[str]:
        """Write one queued reply with this process's model."""
        shape = job.get("shape")
        grammar = SentenceShape(**shape) if shape else job.get("grammar")
        yield from self._write_locally(job["messages"], job["max_tokens"], grammar, self.queue_wait_s)

    def _load_unlocked(self):
        if self._llama is None:
            from llama_cpp import Llama

            with _without_weight_repacking():
                self._llama = Llama(
                    model_path=self.model_path,
                    n_ctx=self.context,
                    # Both phases: left unset, reading the prompt would use every core.
                    n_threads=self.threads,
                    n_threads_batch=self.threads,
                    seed=self.seed,
                    verbose=False,
                )
        return self._llama

    def _grammar(self, grammar: str | None):
        if grammar is None:
            return None
        if grammar not in self._grammars:
            from llama_cpp import LlamaGrammar

            self._grammars[grammar] = LlamaGrammar.from_string(grammar, verbose=False)
        return self._grammars[grammar]

    def stream_chat(self, messages, max_tokens, grammar=None):
        """Stream a chat completion, greedy, under an optional GBNF grammar or shape, in arrival order."""
        if self._queue is not None:
            from redis.exceptions import RedisError

            self._serve_queue()
            job = {"messages": messages, "max_tokens": max_tokens}
            job.update(
                {"shape": asdict(grammar)} if isinstance(grammar, SentenceShape) else {"grammar": grammar}
            )
            try:
                reply = self._queue.submit(job, self.queue_wait_s)
            except RedisError:  # no queue: this process's model alone, in its own order
                reply = self._write_locally(messages, max_tokens, grammar, self.queue_wait_s)
            yield from reply
            return
        yield from self._write_locally(messages, max_tokens, grammar, self.queue_wait_s)

    def _write_locally(self, messages, max_tokens, grammar, wait_s: float) -> Iterator[str]:
        """Stream a reply from this process's model, after the replies that reached it first."""
        if not self._lock.acquire(timeout=wait_s):
            ahead = self._lock.waiting()
            raise ModelUnavailable(f"the model is busy ({ahead} replies ahead); waited {wait_s:g} s", "busy")
        try:
            llama = self._load_unlocked()
            if isinstance(grammar, SentenceShape) and llama.metadata.get("tokenizer.chat_template"):
                yield from self._shaped(llama, messages, max_tokens, grammar)
                return
            if isinstance(grammar, SentenceShape):  # no chat template to write the prompt with
                grammar = grammar.gbnf()
            chunks = llama.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=0.0,
                repeat_penalty=REPEAT_PENALTY,
                grammar=self._grammar(grammar),
                stream=True,
            )
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece
        finally:
            self._lock.release()

    def _shaped(self, llama, messages, max_tokens, shape: SentenceShape) -> Iterator[str]:
        """Greedy tokens restricted by the shape's masks; stops at the sentence's end."""
        import numpy as np
        from llama_cpp import LogitsProcessorList
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        if shape not in self._shapes:
            texts = [token_text(llama.detokenize([i])) for i in range(llama.n_vocab())]
            self._shapes[shape] = ShapeMasks(shape, texts)
        masks = self._shapes[shape]
        eos, bos = llama.token_eos(), llama.token_bos()
        chat = Jinja2ChatFormatter(
            template=llama.metadata["tokenizer.chat_template"],
            eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
            bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
        )(messages=messages)  # the prompt create_chat_completion would build
        prompt = llama.tokenize(chat.prompt.encode("utf-8"), add_bos=not chat.added_special, special=True)

        def keep_to_shape(input_ids, scores):
            written = llama.detokenize(list(input_ids[len(prompt) :])).decode("utf-8", "replace")
            return np.where(masks.allowed(written), scores, -np.inf).astype(scores.dtype)

        written = ""
        for chunk in llama.create_completion(
            prompt,
            max_tokens=max_tokens,
            temperature=0.0,
            repeat_penalty=REPEAT_PENALTY,
            logits_processor=LogitsProcessorList([keep_to_shape]),
            stream=True,
        ):
            piece = chunk["choices"][0]["text"]
            if piece:
                written += piece
                yield piece
            if masks.finished(written):
                return


class OpenAICompatibleLLM(LLM):
    """A model served over the OpenAI chat-completions protocol (e.g. llama.cpp's server)."""

    def __init__(self, base_url: str, model: str = "", api_key: str = "", timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.model_id = model or "openai-compatible"
        self.api_key, self.timeout = api_key, timeout
        self._probed: tuple[float, bool] | None = None  # (when, whether the server answered)

    def stream_chat(self, messages, max_tokens, grammar=None):
        """Stream a chat completion over Server-Sent Events, sampled like LlamaCppLLM."""
        body = {
            "model": self._served_model(),
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "repeat_penalty": REPEAT_PENALTY,
            "stream": True,
        }
        if grammar:
            # honoured by llama.cpp's servers
            body["grammar"] = grammar.gbnf() if isinstance(grammar, SentenceShape) else grammar
        with self._open("/v1/chat/completions", body) as response:
            try:
                yield from _sse_contents(response)
            except (OSError, http.client.HTTPException) as error:
                # A stream that stalls or drops is the server failing too: fall back, not crash.
                raise ModelUnavailable(f"LLM server stream broke off: {error!r}", _fault_of(error)) from error

    def reachable(self) -> bool:
        """Ask the server for its models, briefly and at most every PROBE_EVERY_S seconds.

        Readiness probes come every few seconds and may allow only 1 s, so the answer is
        remembered in between.
        """
        now = time.monotonic()
        if self._probed is None or now - self._probed[0] >= PROBE_EVERY_S:
            self._probed = (now, self._ask_for_models())
        return self._probed[1]

    def _ask_for_models(self) -> bool:
        request = urllib.request.Request(f"{self.base_url}/v1/models", headers=self._headers())
        try:
            with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_S) as response:
                return response.status == 200
        except (OSError, http.client.HTTPException):
            return False

    def _served_model(self) -> str:
        """Return the configured model, else ask the server which one it serves (once)."""
        if not self.model:
            with self._open("/v1/models") as response:
                served = json.load(response).get("data") or []
            if not served:
                raise ModelUnavailable("LLM server lists no models", "missing")
            # Attempts record the model that really wrote their feedback, not a placeholder.
            self.model = self.model_id = served[0]["id"]
        return self.model

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _open(self, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, headers=self._headers())
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            fault = "missing" if error.code == 404 else "unreachable"
            raise ModelUnavailable(f"LLM server answered {error.code} {error.reason}", fault) from error
        except OSError as error:
            raise ModelUnavailable(f"LLM server unreachable: {error}", _fault_of(error)) from error


def _fault_of(error: OSError) -> str:
    """Tell a server that took too long from one that could not be reached."""
    reason = getattr(error, "reason", error)  # URLError wraps the socket's error
    return "hanging" if isinstance(reason, (TimeoutError, socket.timeout)) else "unreachable"


def _sse_contents(lines) -> Iterator[str]:
    """Yield the text of each chunk of an OpenAI chat-completions event stream."""
    finished = False
    for raw in lines:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
        except ValueError as error:
            unreadable = f"LLM server sent an unreadable event: {data[:200]!r}"
            raise ModelUnavailable(unreadable, "garbage") from error
        if "error" in chunk:
            raise ModelUnavailable(f"LLM server failed: {chunk['error']}", "garbage")
        for choice in chunk.get("choices") or []:  # a usage-only chunk has no choices
            finished = finished or bool(choice.get("finish_reason"))
            if (choice.get("delta") or {}).get("content"):
                yield choice["delta"]["content"]
    if not finished:
        # llama-cpp-python's server answers 200 and then drops the stream when it fails (or
        # dies): a reply cut short is the server's failure, not the model's wording.
        raise ModelUnavailable("LLM server stream ended before the reply did", "garbage")


class FakeLLM(LLM):
    """Deterministic replies for tests: queued texts, else a fixed one, streamed word by word."""

    model_id = "fake-llm"

    def __init__(self, replies: list[str] | None = None, default: str | None = None, delay_s: float = 0.0):
        self.replies = deque(replies or [])
        self.default = default or "Keep the student thinking, and try the next step named below."
        self.delay_s = delay_s
        self.calls: list[list[dict]] = []

    def stream_chat(self, messages, max_tokens, grammar=None):
        """Yield the next queued reply one word at a time."""
        self.calls.append(messages)
        reply = self.replies.popleft() if self.replies else self.default
        for index, word in enumerate(reply.split(" ")):
            if self.delay_s:
                time.sleep(self.delay_s)
            yield word if index == 0 else " " + word


class MissingLLM(LLM):
    """Stands in for a GGUF that is not there: every generation fails, so coaching is the template."""

    def __init__(self, reason: str):
        self.reason = reason
        self.model_id = ""

    def stream_chat(self, messages, max_tokens, grammar=None):
        """Fail at once: there is no model to write with."""
        raise ModelUnavailable(self.reason, "missing")

    def reachable(self) -> bool:
        """Never: the model file is missing."""
        return False


def build_llm(config) -> LLM:
    """Create the configured backend (not yet loaded); a missing GGUF gives a MissingLLM."""
    if config.LLM_BACKEND == "fake":
        return FakeLLM()
    if config.LLM_BACKEND == "openai":
        # A stalled server must not hold a trainee much past the feedback time limit.
        return OpenAICompatibleLLM(
            config.LLM_BASE_URL, config.LLM_MODEL_PATH, config.LLM_API_KEY, timeout=config.LLM_TIME_LIMIT_S
        )
    try:
        return LlamaCppLLM(
            config.LLM_MODEL_PATH,
            threads=config.LLM_THREADS,
            queue_wait_s=config.LLM_QUEUE_WAIT_S,
            order_url=config.LLM_ORDER_URL,
        )
    except ModelUnavailable as error:
        # Scoring needs no language model: the app serves with template coaching and
        # /readyz says the model is missing, rather than failing to start.
        logging.getLogger(__name__).error("%s; coaching falls back to the template", error.message)
        return MissingLLM(error.message)
