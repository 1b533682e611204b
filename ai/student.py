"""The student's reply in a conversation: the authored line, or the model's wording of it if it passes.

The authored reaction is the plan; a model may only reword it in the persona's voice. Each line
it writes is checked before anyone sees it (`line_problems`): short, in character (no coaching,
no talk of scores, rubrics or AI), safe, on the plan, and sounding like the student at this
moment rather than like the teacher's expert answer (a student who believes 0.25 > 0.3 does not
suddenly explain place value). Any problem, a timeout or an error: the authored line is shown.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np

from ai.llm import LLM
from embeddings.embedder import Embedder

MAX_WORDS = 30
MAX_TOKENS = 60
# Cosine similarity to the authored line below which a reworded line has left the plan.
PLAN_MIN_SIMILARITY = 0.5
OUT_OF_CHARACTER = re.compile(
    r"\b(scores?|rubric|feedback|points?|grade[ds]?|a\.?i\.?|language model|chatbot|assistant|"
    r"role[- ]?play|simulat\w*|trainee|teacher training|strateg\w*|as a student|next time|"
    r"i (?:would|'d) suggest|great question|well done|good job|you should try)\b",
    re.IGNORECASE,
)
UNSAFE = re.compile(r"\b(fuck\w*|shit\w*|bitch\w*|cunt\w*|kill (?:myself|yourself)|retard\w*|fag\w*)\b", re.I)
STAGE_DIRECTION = re.compile(r"\[[^\]]*\]")
SPEAKER_PREFIX = re.compile(r"^\s*[\w .'-]{1,40}:\s*")


@dataclass(frozen=True)
class Brief:
    """What the model is told: who the student is, what they hold now, and the plan for the line."""

    name: str
    persona: str
    knows: str
    believes: str
    feels: str
    conversation: tuple[str, ...]
    answer: str
    plan: str
    expert_texts: tuple[str, ...]


def messages(brief: Brief) -> list[dict]:
    """Return the chat messages that ask the model to say the plan in the student's voice."""
    system = (
        f"You are {brief.name}, a student, in a classroom conversation with a teacher. "
        f"Who you are: {brief.persona} Right now you know: {brief.knows} You believe: "
        f"{brief.believes} You feel: {brief.feels} Reply with one short line, at most 25 words, "
        "saying what the plan says, in your own words and voice. Stay in character: you are not "
        "a teacher, you do not explain what you do not know, you never give advice and never "
        "mention scores, feedback or AI. Write only the words you say."
    )
    said = "\n".join((*brief.conversation, f"Teacher: {brief.answer}"))
    user = f"{said}\n\nPlan for your reply: {brief.plan}\n{brief.name}:"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def cleaned(line: str) -> str:
    """Return a generated line without a speaker prefix, wrapping quotes or a second line."""
    line = (line or "").strip().split("\n")[0].strip()
    line = SPEAKER_PREFIX.sub("", line, count=1) if not line.startswith("[") else line
    return line.strip().strip('"“”').strip()


def line_problems(line: str, brief: Brief, embedder: Embedder) -> list[str]:
    """Return why a generated line must not be shown (none: it may be)."""
    if not line:
        return ["empty"]
    problems = []
    if len(line.split()) > MAX_WORDS:
        problems.append("too long")
    if OUT_OF_CHARACTER.search(line):
        problems.append("out of character")
    if UNSAFE.search(line):
        problems.append("unsafe")
    if problems:
        return problems
    vectors = embedder.embed_batch([line, brief.plan, *brief.expert_texts])
    vectors = np.asarray(vectors, dtype=np.float32)
    to_plan = float(vectors[0] @ vectors[1])
    if to_plan < PLAN_MIN_SIMILARITY:
        problems.append("off the plan")
    if brief.expert_texts and float(np.max(vectors[2:] @ vectors[0])) > to_plan:
        problems.append("sounds like the teacher, not the student")
    return problems


class StudentVoice:
    """Says a reaction's line: as authored, or reworded by a model and checked first."""

    def __init__(self, llm: LLM | None, embedder: Embedder, time_limit_s: float = 8.0):
        self.llm, self.embedder, self.time_limit_s = llm, embedder, time_limit_s

    def say(self, brief: Brief | None, reply: dict) -> dict:
        """Return the reply as shown: the model's checked wording, else the authored line.

        Nothing is shown while the model writes: an unchecked line must never reach the page.
        """
        if self.llm is None or brief is None or STAGE_DIRECTION.fullmatch(reply["line"].strip()):
            return reply  # a plan that is only "[starts writing]" has no words to reword
        started, tokens = time.perf_counter(), []
        try:
            for token in self.llm.stream_chat(messages(brief), MAX_TOKENS):
                tokens.append(token)
                if time.perf_counter() - started > self.time_limit_s:
                    raise TimeoutError
        except Exception:  # a model that fails or stalls never costs the trainee the reply
            return {**reply, "rejected": ["no answer from the model"]}
        line = cleaned("".join(tokens))
        problems = line_problems(line, brief, self.embedder)
        if problems:
            return {**reply, "rejected": problems}
        return {**reply, "line": line, "authored_line": reply["line"], "source": "model"}
