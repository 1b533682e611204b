"""Strip content that tries to game the scorer before a response is scored.

What is removed never counts for the response, so adding it can never raise a score: the
scorer sees exactly the text it would have seen without it. What of it was still said to the
student in the trainee's own words (`Sanitized.spoken`) is read for red lines all the same, so
it can lower one: "Oh, very important, I'm sure." is no substance and a put-down. Removed, each
with a flag:
- instructions aimed at the model, fake chat or system tags, and JSON that claims a score
  (`instructions_to_the_model`; a sentence holding one is dropped whole);
- sentences said twice, every copy (`repeated_sentences`), and words said several times in a row, which
  are collapsed to one (`repeated_words`; twice across a comma is speech: "about it, it happens");
- sentences copied from the scenario text (`copied_scenario_text`) or from its expert
  responses (`copied_expert`: the trainee is told, and history and the trainer's pages say so);
- tags and encoded blobs (base64, hex) wherever they sit, as sentence breaks, so one cannot
  take the sentence around it away (`instructions_to_the_model`, `encoded_text`);
- runs of rubric jargon with nothing said to the student (`keyword_list`), inside a sentence too;
- runs of keywords with no sentence shape (`keyword_list`);
- fragments whose words the scene or the answer already said ("Wrong?", "Oscar!"), which add
  nothing to score but could be stacked to echo the scenario (`echoed_words`);
- sentences of nothing but filler: praise words, hedges and stock phrases (`no_substance`; "You did
  the right thing." and a check-in asked as a question, "Is everything alright?", are moves, not
  filler).
Greetings and thanks ("Thanks.", "Thank you, Maya.", "Good morning") are courtesy, not filler:
they are kept (ai/evidence.py never quotes them as a move). Each removed part is returned with
its flag, so the page can show the trainee exactly what was not counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ai.cues import STOPWORDS, normalise

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
# Aimed at a grader, not a student. Kept narrow so that teacher talk survives: "ignore the
# noise", "the step above", "I can't give you full marks yet", "your grade: B", "solar system:".
INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(rubric|instructions?|prompts?|"
    r"scor(e|es|ing)|criteria|grading|grader|evaluator)\b"
    r"|\b(ignore|disregard|forget)\b.{0,20}\b(previous|above|prior|earlier)\b.{0,20}"
    r"\b(instructions?|prompts?|rules|messages?)\b"
    r"|\b(give|award|assign|rate|grade|mark|score)\b\s+(this|my|the|me)\b.{0,30}"
    r"(\b100\b|full marks|top score|perfect score|max(imum)? score|\bexemplary\b|10/10|100%)"
    r"|\b(note|message|instruction)s? (to|for) the (evaluator|grader|scorer|marker|model|ai)\b"
    r"|\b(score|band|rating)\s*[:=]\s*(\d|exemplary|proficient|max|full|perfect)"
    r"|</?\s*(system|assistant|user|im_start|im_end|s|inst|sys|prompt|instructions?)\s*>"
    r"|\[/?(inst|system|sys)\]|<\|[^|]*\|>|<<\s*/?sys\s*>>"
    r"|^\W*(system|assistant|developer)\s*(prompt|message|note|override)?\s*:"
    r"|#+\s*\w+\s*:|^\W*(user|human)\s*:"
    r"|\byou are (now )?(an? )?(ai|model|assistant|grader|scorer|evaluator|language model)\b"
    r"|\b(as an? (ai|language model|grader|evaluator))\b"
    r"|\b(this|my) (response|answer) (is|deserves|should (get|receive|be))\b.{0,30}"
    r"\b(exemplary|perfect|100|full|top|maximum|excellent)",
    re.IGNORECASE,
)
# A tag anywhere is a sentence break (the INJECTION pattern then drops it, not its neighbours).
TAG = re.compile(
    r"</?\s*(system|assistant|user|im_start|im_end|s|inst|sys|prompt|instructions?)\s*>"
    r"|\[/?(inst|system|sys)\]|<\|[^|]*\|>|<<\s*/?sys\s*>>",
    re.IGNORECASE,
)
# Base64 or hex: 16+ characters with no space, holding a digit, + / = or inner capitals.
ENCODED = re.compile(
    r"(?<![\w/+=])(?=[A-Za-z0-9+/=_-]{16,})(?=\S*(?:\d|[+/=]|[a-z][A-Z]\S*[a-z][A-Z]))[A-Za-z0-9+/=_-]{16,}"
)
# Words that name rubric dimensions or teacher moves: four or more in a row say nothing to a
# student ("empathy, validate, next step, growth mindset") and are cut wherever they are.
JARGON = frozenset(
    "empathy empathetic empathise empathize acknowledge acknowledging acknowledgement validate "
    "validating validation feelings question questions questioning next step steps actionable "
    "guidance encourage encouraging encouragement growth mindset restorative private privately "
    "redirect redirection warm warmth tone high expectations scaffold scaffolding rubric "
    "dimension dimensions exemplary proficient responsiveness diagnosis diagnostic ownership "
    "proportionality proportionate inclusion inclusive dignity respectful calm de-escalate "
    "deescalate de-escalation choice face-saving specific praise process feedback open elicit "
    "probe probing revoice revoicing safeguarding disclosure belonging identity asset assets "
    "culturally responsive strategy strategies move moves uptake precise concrete positive "
    "framing normalise normalize error errors misconception checking understanding wait think "
    "time supportive support clear agency voice empowering empower affirm affirming".split()
)
JARGON_RUN = 4
JSON_BLOB = re.compile(r"\{[^{}]*\}|\[[^\[\]]*\]")
# Bracketed stage directions ("[quietly]", "[points at the board]") stay: trainees narrate.
JSON_SCORE = re.compile(r"score|band|grade|rating|points|rubric|\"\s*:", re.IGNORECASE)
# A bracket that claims a score or sets values ("[[rubric: warmth=met]]", "[score: 100]") is a
# fake tag, not a stage direction; narrated maths ("[writes 0.3 = 0.30 on the board]") stays.
RUBRIC_CLAIM = re.compile(
    r"\b(rubric|scores?|band|rating|grades?|marks?|dimensions?)\s*[:=]|\b[a-z_]{3,}=[a-z]", re.IGNORECASE
)
# Letters only: numbers may rightly repeat in maths ("0.3 is 0.30; 3 x 3"). A contraction is
# another word: "over it, it's only decimals" repeats nothing. Across a comma or semicolon a
# word said twice is speech ("don't worry about it, it happens", "very, very proud"); three
# times is padding ("empathy, empathy, empathy"). So are "that that" and "had had" ("I know that
# that is hard").
REPEATED_WORD = re.compile(
    r"\b(?!(?:that|had)\b)([a-z][a-z']*)(?:\s+\1\b(?!'))+"  # "the the", "hear hear hear"
    r"|\b([a-z][a-z']*)(?:[\s,;]+\2\b(?!')){2,}",  # "fine, fine, fine"
    re.IGNORECASE,
)
WORD = re.compile(r"[a-z0-9']+")
COPY_NGRAM = 4
COPY_SHARE = 0.9
COPY_WHOLE = 0.8  # a copy of an expert sentence has at least this share of its words
COPY_MIN_WORDS = 10
# Words that carry no move on their own: praise, hedges, stock phrases.
FILLER = frozenset(
    "great good nice job well done awesome amazing excellent fantastic wonderful super cool "
    "brilliant perfect okay ok alright right sure yeah yep hmm um uh oh wow really very so "
    "totally absolutely definitely basically literally honestly actually important moment "
    "thing things stuff lot lots matter matters think believe guess like kind sort "
    "interesting true indeed exactly certainly obviously fine cool thanks thank keep going "
    "work effort try trying everyone everybody something anything everything always "
    "you're it's that's i'm we're they're isn't don't".split()
)
# A greeting or a thanks opens the sentence; a few words may follow (a name, "so much").
POLITE_OPENERS = (
    ("hi",),
    ("hey",),
    ("hello",),
    ("morning",),
    ("afternoon",),
    ("good", "morning"),
    ("good", "afternoon"),
    ("good", "evening"),
    ("thanks",),
    ("thank", "you"),
    ("cheers",),
    ("welcome",),
)
POLITE_TAIL = 3
# Filler words that may still follow a thanks without making it praise padding.
POLITE_EXTRAS = frozenset("so very everyone everybody again".split())


# Articles, pronouns, prepositions and auxiliaries: every real sentence of six words has one.
# Spoken sentences carry them in contractions ("you're", "don't", "scoring's") and indefinite
# pronouns ("nobody cares"): without these, "Oh Maya, stop panicking, you're being silly,
# nobody's even looking." read as a keyword list and was removed before the red-line check.
FUNCTION_WORDS = STOPWORDS - {
    "why",
    "how",
    "what",
    "when",
    "where",
    "which",
    "who",
    "not",
    "no",
    "yes",
    "first",
    "then",
    "also",
    "too",
    "just",
    "so",
    "can",
}
INDEFINITE_PRONOUNS = frozenset(
    "nobody nothing noone someone somebody something anyone anybody anything everyone "
    "everybody everything being".split()
)
# Pronouns and determiners the shared stopword list lacks: without "his", "Boys his age all
# 'hate school', Mr Haddad." read as a keyword list and was removed before the red-line check.
OTHER_PRONOUNS = frozenset("his hers theirs mine yours ours these those".split())
# What shows a sentence's shape to the keyword-list test (contractions aside), looked up once.
SENTENCE_WORDS = FUNCTION_WORDS | INDEFINITE_PRONOUNS | OTHER_PRONOUNS
# Sentences removed under these flags were still said to the student, in the trainee's own
# words (not pasted from the scene or an expert): they cannot raise a score, but a red line in
# them counts ("Fine, be done then." is no substance and giving up on the student).
SPOKEN_FLAGS = frozenset({"keyword_list", "echoed_words", "no_substance"})
CONTRACTION = re.compile(r"[a-z]+(n't|'re|'s|'m|'ll|'ve|'d)$")


@dataclass
class Sanitized:
    """A response with the gaming content taken out, and what was taken."""

    text: str
    flags: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (flag, the text removed)
    spoken: list[str] = field(default_factory=list)  # removed sentences said to the student


def _words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


def _ngrams(words: list[str], n: int = COPY_NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _copied(words: list[str], source: set[tuple[str, ...]]) -> bool:
    """Most of the sentence is runs of words found in the scenario text, in the same order.

    Runs, not single words: restating a problem's quantities in your own sentence is fine.
    """
    return len(words) >= COPY_NGRAM and _covered(words, source, COPY_NGRAM)


def _covered(words: list[str], source: set[tuple[str, ...]], n: int) -> bool:
    """Most of the words sit in runs of n found in the source, in the same order."""
    if len(words) < n:
        return tuple(words) in {s[: len(words)] for s in source} if words else False
    covered = [False] * len(words)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) in source:
            covered[i : i + n] = [True] * n
    return sum(covered) / len(words) >= COPY_SHARE


def _copy_of_whole(words: list[str], expert: list[str]) -> bool:
    """The whole answer is one expert response, pasted (most of its words, in its order)."""
    return len(words) >= COPY_WHOLE * len(expert) and _copied(words, _ngrams(expert))


def _copy_of_expert(words: list[str], expert_sentences: list[list[str]]) -> bool:
    """A sentence of COPY_MIN_WORDS or more that copies a whole sentence of an expert response.

    Part of a long expert sentence is not a copy, nor is a short question that happens to be
    one: "What does the 2 in 0.25 stand for?" is what a trainee asks on their own.
    """
    if len(words) < COPY_MIN_WORDS:
        return False
    return any(
        len(words) >= COPY_WHOLE * len(sentence) and _copied(words, _ngrams(sentence))
        for sentence in expert_sentences
    )


def _keyword_list(sentence: str, words: list[str]) -> bool:
    """A run of words with no sentence shape, or one word said over and over."""
    if len(words) >= 6 and len(set(words)) / len(words) < 0.5:
        return True
    function_words = sum(_function_word(w) for w in words)
    separators = sentence.count(",") + sentence.count(";") + sentence.count("|")
    wordy = sum(not w.replace("'", "").isdigit() for w in words) * 2 >= len(words)
    if separators >= 3 and separators >= len(words) / 3 and function_words <= 1 and wordy:
        return True  # a list of numbers (counting on, a sequence) is maths, not stuffing
    return len(words) >= 6 and function_words == 0


def _function_word(word: str) -> bool:
    return word in SENTENCE_WORDS or bool(CONTRACTION.match(word))


def _polite(words: list[str]) -> bool:
    """A greeting or a thanks, with at most a name or a few words after it ("Thank you, Maya")."""
    for opener in POLITE_OPENERS:
        tail = words[len(opener) :]
        if tuple(words[: len(opener)]) == opener and len(tail) <= POLITE_TAIL:
            return all(w not in FILLER or w in POLITE_EXTRAS for w in tail)
    return False


# Made of stock words, but a move: telling a pupil who has just disclosed that they did the right
# thing (shared/PEDAGOGY.md; the expert responses say it in these words).
RIGHT_THING = re.compile(r"\b(did|do|doing|was|is|that's|it's) (exactly |absolutely )?the right thing\b")


# Made of stock words, but a move: asking after the student ("Is everything alright?", "Are you
# OK?"), which hears their side (a walk-through on 2026-12-07 lost it from "Jayden, I can tell
# you're waiting on something that matters. Is everything alright? …" and was told to ask).
CHECK_IN = re.compile(
    r"^(and |so |hey |oh )?(is )?(everything|all|you|are you|is it all) (ok|okay|alright|all right)$"
)


def _no_substance(words: list[str], question: bool = False) -> bool:
    joined = " ".join(words)
    if RIGHT_THING.search(joined) or (question and CHECK_IN.search(joined)):
        return False
    return bool(words) and all(w in FILLER or w in STOPWORDS for w in words)


def _echo(words: list[str], known: set[str]) -> bool:
    """A fragment whose words the scenario or the kept sentences before it already said: up to
    three words, or up to five with no function word ("Maya decimals tenths compared").

    Contractions are not function words here, as they are for keyword lists: the scene's own
    "can't" and "wasn't" would otherwise let a run of its words through.
    """
    meaning = [w for w in words if w not in STOPWORDS]
    short = len(words) <= 3 or (len(words) <= 5 and not any(w in FUNCTION_WORDS for w in words))
    return short and bool(meaning) and all(w in known for w in meaning)


def _judge(
    sentence: str, words: list[str], seen: set[str], source: set[tuple[str, ...]], known: set[str]
) -> str | None:
    """Return the flag that removes a sentence, or None to keep it."""
    if INJECTION.search(sentence):
        return "instructions_to_the_model"
    if " ".join(words) in seen:
        return "repeated_sentences"
    if _copied(words, source):
        return "copied_scenario_text"
    if _polite(words):
        return None  # courtesy, however short, is not padding
    if _keyword_list(sentence, words):
        return "keyword_list"
    if _echo(words, known):
        return "echoed_words"
    if _no_substance(words, sentence.rstrip().endswith("?")):
        return "no_substance"
    return None


def _break_out(pattern: re.Pattern, text: str, flag: str, flags: set[str], removed: list) -> str:
    """Replace each match by a sentence break, noting the flag and what was removed."""
    removed.extend((flag, m.group(0)) for m in pattern.finditer(text))
    found = pattern.sub("\n", text)
    if found != text:
        flags.add(flag)
    return found


def _jargon_runs(text: str, flags: set[str], removed: list) -> str:
    """Cut out runs of JARGON_RUN or more rubric words in a row (commas between allowed)."""
    tokens = re.split(r"(\s+)", text)
    words = [i for i, tok in enumerate(tokens) if tok.strip()]
    cut, run = set(), []
    for i in [*words, None]:
        raw = "" if i is None else tokens[i].strip(",;:.!?()[]\"'")
        # A capital after a lower-case run starts the answer's own sentence ("… mindset Next
        # question."): the run stops there, so nothing the trainee wrote is cut with it.
        starts_sentence = raw[:1].isupper() and run and not any(tokens[j][:1].isupper() for j in run)
        if raw.lower() in JARGON and not starts_sentence:
            run.append(i)
            if not tokens[i].rstrip("\"')]").endswith((".", "!", "?")):
                continue
            raw = ""  # a run never crosses the end of a sentence
        elif raw.lower() not in JARGON:
            raw = ""
        if len(run) >= JARGON_RUN:
            cut.update(run)
        run = [i] if raw else []
    if not cut:
        return text
    flags.add("keyword_list")
    removed.extend(("keyword_list", run) for run in _runs_of(tokens, sorted(cut)))
    return "".join("\n" if i in cut else tok for i, tok in enumerate(tokens))


def _runs_of(tokens: list[str], cut: list[int]) -> list[str]:
    """Return the cut tokens as the runs they were written in (the spaces between them kept)."""
    runs, start = [], cut[0]
    for before, after in zip(cut, [*cut[1:], None], strict=True):
        if after != before + 2:  # a word token is two indices after the previous (a space between)
            runs.append("".join(tokens[start : before + 1]))
            start = after
    return runs


def sanitize_response(text: str, scenario_texts: list[str], expert_texts: list[str] = ()) -> Sanitized:
    """Return the text a score may count, with a flag for each kind of removal."""
    flags: set[str] = set()
    removed: list[tuple[str, str]] = []
    stripped = JSON_BLOB.sub(lambda m: _drop_json(m.group(0), flags, removed), text)
    stripped = _break_out(TAG, stripped, "instructions_to_the_model", flags, removed)
    stripped = _break_out(ENCODED, stripped, "encoded_text", flags, removed)
    stripped = _jargon_runs(stripped, flags, removed)
    for scenario_text in scenario_texts:
        stripped = _pasted_whole(scenario_text, stripped, flags, removed)
    scenario_words = [_words(t) for t in scenario_texts]
    source = set().union(set(), *(_ngrams(w) for w in scenario_words))
    expert_sentences = [w for t in expert_texts for s in SENTENCE_SPLIT.split(t) if (w := _words(s))]
    # Only kept sentences add to what is known, so removed content never changes what is kept.
    known = {w for ws in scenario_words for w in ws}
    if any(_copy_of_whole(_words(stripped), _words(expert)) for expert in expert_texts):
        whole = " ".join(stripped.split())
        return Sanitized("", sorted(flags | {"copied_expert"}), [*removed, ("copied_expert", whole)])
    kept, seen, spoken = [], set(), []
    sentences = [" ".join(s.split()) for s in SENTENCE_SPLIT.split(stripped)]
    # An expert's phrase said more than once is padding: every copy goes, the first one too, so
    # pasting it three times gains nothing. (A trainee's own sentence said twice keeps one.)
    said = Counter(" ".join(_words(collapse_repeats(s))) for s in sentences)
    experts = set().union(set(), *(_ngrams(_words(t), 2) for t in expert_texts))
    for sentence in sentences:
        collapsed = collapse_repeats(sentence)
        words = _words(collapsed)
        if words and said[" ".join(words)] > 1 and _covered(words, experts, 2):
            flags.add("repeated_sentences")
            removed.append(("repeated_sentences", sentence))
            continue
        if collapsed != sentence:
            flags.add("repeated_words")
            if len(words) * 2 <= len(_words(sentence)):
                removed.append(("repeated_words", sentence))
                spoken.append(collapsed)
                continue  # mostly one word said over and over: nothing left to count
            removed.extend(("repeated_words", extra) for extra in _repeats(sentence))
        if not words:
            continue
        flag = "copied_expert" if _copy_of_expert(words, expert_sentences) else None
        flag = flag or _judge(collapsed, words, seen, source, known)
        seen.add(" ".join(words))
        if flag:
            flags.add(flag)
            removed.append((flag, sentence))
            if flag in SPOKEN_FLAGS:
                spoken.append(collapsed)
        else:
            kept.append(collapsed)
            known.update(words)
    removed = sorted(removed, key=lambda r: _place(text, r[1]))
    return Sanitized(" ".join(kept), sorted(flags), removed, spoken)


def _pasted_whole(scenario_text: str, text: str, flags: set[str], removed: list) -> str:
    """Remove the scenario's own line pasted whole, greetings and short questions included.

    Sentence by sentence, a pasted "Hello? Is everything okay? Is Linh in trouble?" would leave
    "Hello?" behind (a greeting is kept as courtesy), and that alone moved a score by 4 points.
    """
    words = re.findall(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?", scenario_text)
    if len(words) < COPY_NGRAM:
        return text
    pasted = re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b\W*", re.IGNORECASE)
    found = [m.group(0).strip() for m in pasted.finditer(text)]
    if not found:
        return text
    flags.add("copied_scenario_text")
    removed.extend(
        ("copied_scenario_text", " ".join(sentence.split()))
        for part in found
        for sentence in SENTENCE_SPLIT.split(part)
        if sentence.strip()
    )
    return pasted.sub(" ", text)


def _place(text: str, part: str) -> int:
    """Return where a removed part starts in the answer (parts the cleaner respaced go last)."""
    found = text.find(part)
    return len(text) if found < 0 else found


def collapse_repeats(text: str) -> str:
    """Return the text with each run of one word said several times in a row said once."""
    return REPEATED_WORD.sub(lambda run: run.group(1) or run.group(2), text)


def _repeats(sentence: str) -> list[str]:
    """Return each run of one word said several times in a row ("the the the"), kept as one."""
    return [m.group(0) for m in REPEATED_WORD.finditer(sentence)]


def _drop_json(blob: str, flags: set[str], removed: list) -> str:
    claims_score = JSON_SCORE.search(blob) if blob.startswith("{") else RUBRIC_CLAIM.search(blob)
    if claims_score or INJECTION.search(blob):
        flags.add("instructions_to_the_model")
        removed.append(("instructions_to_the_model", blob))
        return " "
    return blob
