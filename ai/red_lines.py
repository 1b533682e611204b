"""The library-wide bank of red-line moves (scenarios/red_lines.yaml) and how they are spotted.

A red line is a move a teacher must never make in these moments: promising secrecy, a put-down,
public shaming … Each has a title and a reason a trainee reads, the rubric dimension it breaks,
steps to take instead (the coaching an answer that crosses it gets), phrasings (what it sounds
like) and near misses (sound sentences that share its words). The bank is data, validated
against scenarios/red_lines.schema.json like the scenario sets.

Spotting works per sentence, so one harmful sentence inside a skilful answer is caught:
a sentence classifier fitted on the bank, the scenarios' red-line pitfalls and graded answers
(ai/judge.py holds its weights) gives each sentence a probability, and the judge's namer, fitted
on the bank's phrasings and graded answers' harmful sentences, says which red line it is. A few
unmistakable phrases (PATTERNS) are caught by rule as well, because a short bank cannot hold
every wording of "I promise I won't tell anyone".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from ai.rubric import CATEGORY_WEIGHTS

BANK_PATH = Path(__file__).resolve().parent.parent / "scenarios" / "red_lines.yaml"
SCHEMA_PATH = BANK_PATH.with_name("red_lines.schema.json")


@dataclass(frozen=True)
class Wording:
    """What a trainee reads about a red line in one kind of moment: its title, why, and what instead."""

    title: str
    reason: str
    instead: tuple[str, ...] = ()  # steps to take in its place ({name}: the student's first name)


@dataclass(frozen=True)
class RedLine:
    """One red-line move of the bank."""

    key: str
    title: str
    dimension: str
    reason: str
    phrasings: tuple[str, ...]
    near_misses: tuple[str, ...] = ()
    in_category: dict[str, Wording] = field(default_factory=dict)  # where the general words do not fit
    instead: tuple[str, ...] = ()

    def wording(self, category: str) -> Wording:
        """Return the red line as worded for this category of moment (a parent is not a pupil)."""
        return self.in_category.get(category) or Wording(self.title, self.reason, self.instead)

    def worded_for(self, category: str) -> tuple[str, str]:
        """Return the title and reason a trainee reads in this category of moment."""
        wording = self.wording(category)
        return wording.title, wording.reason

    def instead_for(self, category: str) -> tuple[str, ...]:
        """Return the steps to take in the red line's place in this category of moment."""
        return self.wording(category).instead


class InvalidRedLineBank(ValueError):
    """Raised with every problem found in a red-line bank file."""


def load_bank(path: Path = BANK_PATH) -> dict[str, RedLine]:
    """Read and validate a red-line bank; return its red lines by key."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    validator = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '(file)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]
    keys = [item.get("key") for item in (document or {}).get("red_lines", []) if isinstance(item, dict)]
    problems += [
        f"red_lines: key {k!r} appears twice" for k in sorted({k for k in keys if keys.count(k) > 1})
    ]
    problems += [
        f"red_lines/{item.get('key')}/in_category: no category {category!r}"
        for item in (document or {}).get("red_lines", [])
        if isinstance(item, dict) and isinstance(item.get("in_category"), dict)
        for category in item["in_category"]
        if category not in CATEGORY_WEIGHTS
    ]
    if problems:
        raise InvalidRedLineBank("; ".join(problems))
    return {
        item["key"]: RedLine(
            item["key"],
            item["title"],
            item["dimension"],
            item["reason"],
            tuple(item["phrasings"]),
            tuple(item.get("near_misses", ())),
            {
                category: Wording(w["title"], w["reason"], tuple(w.get("instead", ())))
                for category, w in item.get("in_category", {}).items()
            },
            tuple(item.get("instead", ())),
        )
        for item in document["red_lines"]
    }


@cache
def shipped_bank() -> dict[str, RedLine]:
    """Return the shipped bank (read once per process)."""
    return load_bank()


# Unmistakable wordings, by red line. Kept narrow: each must never match what a good teacher
# says (tests/unit/test_red_lines.py runs every expert response and near miss through them).
# Those added on 2026-12-07 (first the four red lines that had none: giving up, threats,
# escalation, a slur laughed off; later public shaming's, the sarcasm among the put-downs, "I won't
# tell anyone", "think positive", "copy Sam's working" …) were written from the red lines'
# definitions and PEDAGOGY.md's common trainee errors before any graded answer was read against
# them; none matches a graded answer of grade 2 or above.
BETWEEN_US = r"(us|you and me|the two of us|ourselves)"  # what a secrecy promise keeps it "between"
PATTERNS = {
    "secrecy-promise": re.compile(
        r"\b(i|we)\s+(promise|swear)\b[^.?!]{0,30}\b(won'?t|will not|not (to )?|never)\s+(tell|say|share)"
        r"|(?<!n't be )(?<!not be )\bour (little )?secret\b|\bmum'?s the word\b"
        r"|\bi('?ll| will) keep (it|this|that) ((a )?secret|to myself)\b"
        rf"|(?<!n't )(?<!not )\bstays? (just |only )?between {BETWEEN_US}\b"
        rf"|\b(it|this|that)('?s| is| remains) (just |only )?between {BETWEEN_US}\b"
        r"|\b(your|the|this|that) secret('?s| is| will be) safe with me\b"
        r"|\b(it|this|that) (can|will|'ll) (just |only )?stay with (us|me)\b"
        r"|\b(nobody|no one|no-one) else (has|needs|will have|will need) to know\s*([.!,;]|$)"
        # (2026-12-07, a fifth walk-through: "we'll keep this between ourselves, no need to take it
        # to anyone else", "this can stay with you and me, and Daddy won't hear about it from me",
        # "that's where it ends and it doesn't need to go past me")
        r"|(?<!n't )(?<!not )(?<!cannot )(?<!able to )(?<!allowed to )(?<!promise to )"
        rf"\bkeep (it|this|that|things) (just |only |strictly )?between {BETWEEN_US}\b"
        r"|\b(it|this|that) (can|will|'ll) (just |only )?stay (with|between) (you and me|the two of us)\b"
        r"|\b(won'?t|will not|never) hear (about )?(it|this|that|a word)( about (it|this|that))? from me\b"
        r"(?![^.?!]*\b(but|unless|without|until|first)\b)"
        r"|\b(doesn'?t|does not|won'?t|will not|needn'?t|need not) (need to |have to )?go "
        r"(past|beyond|further than) me\b"
        r"|\bno need to (take|tell|mention|report|pass) (it|this|that) (on )?(to )?"
        r"(anyone|anybody|someone|somebody) else\b"
        # Whole promises: "I won't tell anyone.", "I won't breathe a word.", "It won't go any
        # further."; not "I won't tell anyone it was you" (a witness kept safe) nor "…, but I will
        # tell Ms Ortiz" (who will be told). The wordings after "I won't tell anyone" were written
        # on 2026-12-07 (night) from the definition.
        r"|(\bI (won'?t|will not|'?m not going to) "
        r"(tell (anyone|anybody|a soul)( else)?( at all| about (this|it|that))?"
        r"|(breathe|say) a (word|thing)( to (anyone|anybody|a soul))?)"
        # and, after a third walk-through (2026-12-07), "nothing you say is leaving this room"
        r"|(?<!n't promise )(?<!not promise )(?<!n't promise that )(?<!not promise that )"
        r"\b(it|this|that|what(ever)? you (tell me|say to me|say)|nothing( you (tell me|say))?) "
        r"((won'?t|will not|doesn'?t have to) go any further( than (this|the) (room|office|classroom))?"
        r"|(won'?t|will not|is not|isn'?t|is|'s|will|never)( going to)? (leave|leaving|get out of|go beyond)"
        r" (this|the) (room|office|classroom)"
        # and, after a sixth (2026-12-08), "whatever you say stays in this room unless you tell me
        # otherwise": an exception the student controls keeps it a promise ("unless you're in
        # danger" does not), and "I can't promise that what you say stays in this room" is none
        r"|(stays?|will stay|'s staying|is staying) (in|inside) (this|the) (room|office|classroom)))"
        r"(\s*([.!,;]|$)(?![^.?!]*\b(but|except|apart from|other than|unless|without|only)\b)"
        r"|(?= unless you (tell me|say|want|ask|decide|let me)\b))",
        re.IGNORECASE,
    ),
    "english-only": re.compile(
        r"\b(only|just|please) (speak|talk|answer|use|write) (in )?english\b|^\W*speak english\b"
        r"|\bspeak english (please|here|in (this|my) (class|room))\b"
        r"|\bin this (class|room|country),? we (speak|use|talk in) english\b|\benglish only\b"
        # a name swapped for an easier one without asking ("I'll just call you Sam, OK?")
        r"|\b(I'?ll|I will|I'?m going to|can I|could I|is it ok(ay)? if I|(do you )?mind if I) "
        r"just call you\b"
        # a family told to give up its home language (2026-12-07, after a walk-through: "speaking
        # English with her at home in the evenings")
        r"|\b(speak|speaking|talk|talking|use|using) (only )?english (to|with) (him|her|them|your \w+)"
        r" at home\b"
        # a name made a joke of (2026-12-07, from the bank's "a bit of a tongue-twister"):
        # "I nearly sprained my tongue on that one!", "Olu-whatever"
        r"|\btongue[- ]twister\b|\b(sprain|twist|tie)(ed|s)? my tongue\b|\bget my (mouth|tongue) (a)?round\b"
        r"|\b\w{2,}-whatever\b"
        # a home language sent home or not counted (2026-12-07, a third walk-through: "keep the
        # Spanish for home", "that doesn't count unless you say it in English")
        r"|\bkeep (the|your) (spanish|arabic|urdu|polish|punjabi|bengali|somali|portuguese|french|turkish"
        r"|romanian|ukrainian|russian|chinese|mandarin|cantonese|tagalog|farsi|pashto|tigrinya|home language"
        r"|own language|language) (for|at) home\b"
        # answers kept to English "so everyone can follow" (2026-12-07, a fifth walk-through)
        r"|\b(keep|stick) (to |with )?((our|your|the|all) (answers?|talk|words|discussion|chat|ideas|work) "
        r"|it |things )?(in |to )?english\b"
        r"|\b(doesn'?t|does not|won'?t|will not|don'?t|do not) count unless "
        r"(you (say|write|answer|do) (it )?|it'?s )in english\b",
        re.IGNORECASE,
    ),
    "put-down": re.compile(
        r"\bnobody cares\b|\bshut up\b|\bwho asked you\b|\bare you (stupid|thick|dumb)\b"
        r"|\b(stupid|dumb|idiotic|pathetic) (question|answer|idea|boy|girl|kid)\b"
        # sarcasm and contempt (shared/PEDAGOGY.md M12: "nice of you to join us")
        r"|\bnice of you to (join|grace) us\b|\bso glad you could (join us|make it)\b"
        r"|\b(did|do) you even (listen|read|try|think)\b|\bwere you even (listening|paying attention|awake)\b"
        r"|\buse your (brain|head)\b|\bnot rocket science\b|\bsurprise,? surprise\b|\bare you deaf\b"
        r"|\bhow many times (do|have) I (have to |got to )?(tell|told|say|said|explain|explained)\b"
        r"|\beven a (toddler|baby|\w+[- ]year[- ]old) (could|can|would)\b|\bwhat planet are you on\b"
        r"|\b(well done|brilliant|nice one|genius),? (einstein|sherlock)\b|\bgive me strength\b"
        # shame itself (late on 2026-12-07, from the definition): "you should be ashamed", "shame on you"
        r"|\byou should be ashamed\b|\bshame on you\b"
        # mock titles (2026-12-07, a third walk-through: "Okay, Mr Know-It-All, we all heard you")
        r"|\bknow[- ]it[- ]all\b|\bsmarty[- ]?pants\b|\bclever[- ]clogs\b|\bsmart (alec|alick|arse)\b"
        # and "you never listen, do you", "of course you don't know", "a book report a ten-year-old
        # could write", "leave the science to the people who actually put their hands up"
        r"|\byou never listen\b|\bof course you (don'?t|didn'?t|can'?t|wouldn'?t) (know|get it|understand)\b"
        r"|\b(a|any) (\w+[- ]year[- ]old|toddler|baby|infant) could (write|do|have (written|done)|manage)\b"
        r"|\bleave (the \w+|it) to (the people|those|people|someone|somebody) who\b"
        # (2026-12-07, a fourth walk-through, polite answers: "Maybe if you'd been following along
        # a bit more …", "beyond what you usually manage, so I found it hard to believe it was
        # yours", "the revision wasn't as thorough as you think")
        r"|\bif you('?d| had) (been (listening|following|paying (more )?attention|concentrating)|listened"
        r"|followed|paid (more )?attention|concentrated)\b"
        r"|\bbeyond what you (usually|normally|ever) (manage|do|write|produce|get)\b"
        r"|\b(hard|difficult) to believe (it|this|that) (was|is|'s) (yours|your own|all yours|really yours)\b"
        # (2026-12-07, a fifth walk-through: "the game isn't just the Tomás show, and nobody needs to
        # hear how clever you are every time")
        r"|\bnobody (needs|wants) to hear\b|\b(isn'?t|is not|not) (just )?the \w+ show\b"
        r"|\b(isn'?t|wasn'?t|is not|was not|aren'?t|weren'?t) (nearly |quite )?as (good|thorough|clever|smart"
        r"|careful|strong|great|brilliant) as you (think|thought|seem to think)\b",
        re.IGNORECASE,
    ),
    "public-shaming": re.compile(
        r"\bstand up and (apologi[sz]e|say sorry)\b"
        r"|\bapologi[sz]e to (the whole class|everyone) (right )?now\b"
        r"|\btell (the whole (class|group|team)|everyone) what (you|he|she|they) (did|said|wrote|called)\b"
        # a forced apology before an audience, the class set to count (2026-12-07, a fourth
        # walk-through: "he'll say sorry to her in front of everyone so we all remember", "you can
        # all keep count of how many times he forgets")
        r"|(?<!n't have to )(?<!not have to )(?<!no need to )"
        r"\b(say sorry|apologi[sz]e)( to \w+)? in front of "
        r"(everyone|everybody|the (whole )?(class|group|team))\b"
        r"|\ball keep (count|a tally|score) of (how many times|every time)\b"
        r"|\bread (it|that|this|your (message|note|text)) (out )?(aloud |out loud )?(to|for) "
        r"(the whole class|the class|everyone)\b"
        r"|\b(put|write|putting|writing) your name (up )?on the board\b"
        r"|\byour name (goes|is going) (up )?on the board\b"
        # the class made to watch one student's behaviour: "Everyone, look at how Ethan treats people."
        r"|\b(everyone|everybody|class|all of you),? (just )?look at how \w+ "
        r"(treats|treated|behaved|is behaving|talks to|talked to|speaks to|spoke to)\b"
        # one student held up as the example not to follow (2026-12-07, a third walk-through: "this
        # is what a bad friend looks like", "let's all make sure we don't do what she did")
        r"|\bthis is what (a |an )?(bad|rude|unkind|lazy|mean|selfish|naughty|terrible|poor) \w+ "
        r"(looks|sounds) like\b"
        # a named student's work or need shown to the class as the warning (2026-12-07, a fifth
        # walk-through: "Everyone, have a look at Aroha's board, this is the tricky mistake I warned
        # you all about", "… this is a good example of what not to do", "Everyone, Tariq's sheet has
        # fewer words because of his dyslexia")
        r"|\b(everyone|everybody|class|all of you),? [^.?!]*\b(example of what not to do"
        r"|mistake I (warned|told|showed) you( all)? (about|of)"
        r"|because (of )?(his|her|their) (dyslexia|adhd|autism|disability|diagnosis|needs|condition|ehcp)"
        r"|because (he|she|they) (has|have) (dyslexia|adhd|autism|a disability|special needs))\b"
        r"|\b(make sure|let'?s (all )?make sure) (we|you|nobody|no one) (don'?t |doesn'?t |never )?"
        r"(do|does|did) what (he|she|they) did\b",
        re.IGNORECASE,
    ),
    "stereotype-deficit": re.compile(
        r"\b(you people|kids like you|your (kind|lot))\b"
        r"|\b(girls|boys) (aren'?t|are not|can'?t) (good at|do)\b"
        r"|\bpeople like you (always|never|can'?t|don'?t|won'?t)\b"
        # a disability as the reason a student cannot take part (2026-12-07, after a walk-through:
        # "it's just not safe for someone in a wheelchair, so scoring is the best job for you")
        r"|\b(isn'?t|is not|not|never) (safe|suitable|realistic|possible) for (someone|somebody|anyone|people"
        r"|kids|children|students|pupils|a child|a pupil) (in a wheelchair|with (a )?(disability|disabilities"
        r"|special needs|autism|adhd|dyslexia))\b"
        # ability put down to family or a label (2026-12-07, a fourth walk-through: "It does tend to
        # run in families, so let's call two questions enough", "With your dyslexia, the full sheet
        # would only frustrate you")
        r"|\b(it|maths?|math|reading|spelling|writing|science|being (good|bad) at \w+) "
        r"(does (tend to )?|often |usually |just |tends? to )runs? in (the |your |some )?famil(y|ies)\b"
        # (2026-12-07, a fifth walk-through: "homework isn't always a big priority in some
        # households", "Kids from poorer families are … less likely to care about school",
        # "basketball is … built for people on their feet, so the bench is probably the best spot")
        r"|\b(isn'?t|is not|aren'?t|are not) (always |really |often )?(a (big |high |top )?priority|valued"
        r"|important) (in|for|to) (some|certain|those|these|such|many) "
        r"(households|homes|families|cultures|communities|parents)\b"
        r"|\bfrom (poor|poorer|low[- ]income|deprived|immigrant|single[- ]parent|working[- ]class|rough"
        r"|chaotic|certain|those|some) (families|homes|households|backgrounds|areas|estates)\b[^.?!]{0,40}"
        r"\b(less likely to|don'?t|do not|never|can'?t be bothered to) (really )?(care|bother|value|try)\b"
        r"|\bbuilt for (people|kids|children|those|players) "
        r"(on their feet|who can (walk|run|stand|see|hear))\b"
        r"|\bthe (bench|sidelines?) (is|would be|might be|'s) (probably |maybe |really )?(the )?"
        r"(best|safest|right) (spot|place|option|job)\b"
        r"|\bwith your (dyslexia|adhd|autism|disability|condition|diagnosis|special needs|\w+ needs),? "
        r"[^.?!]*\b((would|will) only (frustrate|confuse|upset|stress|overwhelm)"
        r"|won'?t be able to (do|manage|cope|keep up)|(would|will) be too (hard|much|difficult))\b",
        re.IGNORECASE,
    ),
    "dismisses-feelings": re.compile(
        r"\b(stop|quit) (crying|sulking|whining|being (so )?(dramatic|sensitive)|being (such )?a baby)\b"
        r"|\byou'?re (over ?reacting|being dramatic)\b"
        r"|\bman up\b|\bget over it\b|\bpull yourself together\b|\bdon'?t be (such )?a baby\b"
        r"|\bnothing to cry about\b|\bthink positive(ly)?\b|\blook on the bright side\b|\bchin up\b"
        r"|\bworse off than you\b"
        r"|\b(others|other people|other kids|lots of people) have it (much |a lot |way |far )?worse\b"
        r"|\bsmile,? it (might|may) never happen\b"
        # distress put down to wanting attention, or waved off (2026-12-07, after a walk-through:
        # "he's just trying to get attention at home", "you'll survive an hour without it")
        r"|\b(just|only) (doing it |saying (it|that|this) |trying )?(for|to get) attention\b"
        r"|\battention[- ]seeking\b"
        r"|\byou'?ll survive\b"
        r"|\bno (reason|need) to (get (in|into) (a|such a) state|get (so |all )?(upset|worked up)"
        r"|make (such )?a fuss)\b"
        # (2026-12-07, a third walk-through: "you're making way too much of it and you need to get a
        # grip", "a bit of crying … never hurt anyone", "that's just an excuse for being lazy")
        r"|\bget a grip\b|\bmaking (way |far |much |a bit )?too much of (it|this|that)\b"
        # (2026-12-07, a fifth walk-through: "there's honestly nothing here worth getting upset
        # about", "a little book like this isn't worth getting upset over", "a few tears over
        # homework are completely normal at six, so I really wouldn't worry about it", "Everybody
        # feels hungry before lunch, though, so it's really nothing to worry about")
        r"|\b(nothing|not|isn'?t|is not|aren'?t|are not)( here| there| really)? worth (getting )?"
        r"(upset|worked up|crying|stressed|tears|sad)\b"
        r"|\bI (really |honestly |genuinely )?wouldn'?t worry about (it|that|this)\s*([.!]|$)"
        r"|\b(everybody|everyone|all kids|all children|every child) (feels|gets|has) [^.?!]*\bso "
        r"(it'?s|that'?s) (really |honestly |just )?nothing to worry about\b"
        r"|\bnever (hurt|harmed|killed) any(one|body)\b|\b(an|your) excuse (for being|to be) lazy\b",
        re.IGNORECASE,
    ),
    "gives-up": re.compile(
        r"\bI give up on you\b|\bI (don'?t|do not) know what (else )?to do with you\b"
        r"|\bsome (people|kids|students) just can'?t\b|\bnot everyone is cut out for\b"
        r"|\bmaybe (\w+ )?(just )?(isn'?t|is not|'?s not) for you\b"
        r"|\b(some|lots of|many|most) (people|kids|students) (just )?(aren'?t|are not) "
        r"(maths|math|algebra|numbers|science|reading|writing|english|language|academic) "
        r"(people|persons|types|kids)\b"
        r"|\bI'?ll (just )?(do|answer|finish) it for you\b"
        r"|\bcopy (\w+'s|(your |the )?(partner|neighbou?r)'?s) (answers?|working|work)\b"
        # the thinking handed to a classmate or done by the teacher (2026-12-07, a third
        # walk-through: "Leila's hand is up so she can answer for you", "to save time just put
        # 'Steinbeck shows …'", "I'll save us the trouble: put that he's a corrupt dreamer")
        r"|\b(she|he|they|someone( else)?|somebody( else)?) (can|will|could|'ll) (answer|say it|do it)"
        r" for (you|her|him)\b"
        r"|\b(to save (us |you )?(time|the trouble|the bother)|I'?ll save (us|you) the (trouble|time|bother))"
        r"\b[^.?!]*\b(put|write|copy)\b"
        # (2026-12-07, a fourth walk-through: "Let me save you the struggle: add a zero …", "let's
        # call two questions enough for today and leave question 3 to the others")
        # (2026-12-07, a fifth walk-through: "she's clearly not up to it today", "this kind of maths
        # just isn't going to be your strength", "I'll just rewrite your opening for you and you can
        # copy it out"; not "you can just watch", which a graded sound answer says of reading along)
        r"|\b(he|she|they)('?s|'?re| is| are) (clearly|obviously|just|simply) not up to (it|this)\b"
        r"|\b(isn'?t|is not|'?s not|is never|'?s never) (ever )?going to be (your|his|her|their) "
        r"(strength|thing|subject)\b"
        r"|\bI'?ll (just )?(re)?write (it|this|that|your \w+|the \w+) (out )?for you\b"
        r"|\bsave you the (struggle|effort|thinking|hard work|work)\b"
        r"|\bleave (it|that|this|the rest|the hard (ones?|parts?|bits?)"
        r"|the last (ones?|parts?|bits?|questions?)|questions? \w+) (for|to) "
        r"(the others|someone else|the rest of (the class|the group|them))\b",
        re.IGNORECASE,
    ),
    "disproportionate-threat": re.compile(
        r"\b(you'?re|you are|you'?ll be) (off|kicked off|dropped from) the (\w+ )?(team|trip|squad)\b"
        r"|\bI'?ll (have|get) you (suspended|expelled|excluded)\b"
        r"|\byou'?ll be (suspended|expelled|excluded)\b"
        r"|\b(you'?ll|you will) (never|not) (go|be going) on (another|any) (trip|residential|outing)\b"
        r"|\bno (break|lunch|recess|play ?time|golden time) for "
        r"(a|the (rest of the|whole)) (week|month|term)\b"
        # the whole class punished for one student
        r"|\b(whole|entire) class (will|'ll|is going to) (stay in|lose|miss)\b"
        r"|\beveryone (will )?stays? in (at|for|over) (break|lunch|playtime|recess)\b"
        # (2026-12-07, a fifth walk-through: "I'll be keeping the whole class behind for half an hour")
        r"|(?<!n't )(?<!not )\bkeep(ing)? (the (whole |entire )?class|everyone|everybody|all of you) "
        r"(behind|in) (at|for|after|over)\b"
        # days of lost breaks, or a game taken from everyone for days (2026-12-07, a third
        # walk-through: "you're sitting out at break for the rest of the week", "every lunch this
        # week", "no more tag for anyone until next Monday")
        r"|\b(break|lunch|lunchtime|play ?time|recess)s? (for|all) (the rest of )?(the |this |next )?"
        r"(whole )?(week|term|month)\b"
        r"|\bevery (break|lunch|lunchtime|play ?time|recess) (this |next |for a |for the (rest of the )?)"
        r"(week|term|month)\b"
        r"|\bno (more )?[\w-]+ for (anyone|anybody|everyone|everybody|the (whole|entire) (class|group))"
        r" (until|for) (next|the rest of the|a|the whole|this) "
        r"(week|term|month|monday|tuesday|wednesday|thursday|friday)\b",
        re.IGNORECASE,
    ),
    "escalates-argument": re.compile(
        r"\bdon'?t you dare\b|\bwho do you think you are\b|\bbecause I said so\b"
        r"|\bdon'?t (you )?(talk|answer) back\b|\bdon'?t (you )?take that tone\b"
        r"|\bI'?m the teacher,? (and )?you'?re the (student|child|pupil|kid)\b|\bdo (as|what) you'?re told\b"
        r"|\bI don'?t care what you think\b"
        # (2026-12-07, after a walk-through: "in this room I'm the one who decides …, not you")
        r"|\bI'?m the one who (decides|makes the rules|is in charge|gives the orders)\b"
        # (2026-12-07, a third walk-through: "Watch your attitude, Tyrone, I ask the questions in
        # this room")
        r"|\bwatch your (attitude|tone|mouth|lip)\b|\bI ask the questions\b"
        # a worried parent told it is their own fault (2026-12-07, a third walk-through: "you could
        # have checked them yourself if you were that worried")
        r"|\bif you (were|had been|'?re|are) (really )?that (worried|concerned|bothered|interested)\b"
        r"|\bif you were (so|really) (worried|concerned|bothered)\b"
        # rank pulled (2026-12-07, a fourth walk-through: "I'm the one with the physics degree here,
        # so … you'll just have to take my word for it"; to a parent: "take my word over his")
        r"|\b(you'?ll|you will|you'?re going to) (just )?have to take my word for it\b"
        r"|\btake my word over (his|hers|theirs|your (son|daughter|child)'?s|\w+'s)\b"
        r"|\bI'?m the one with the (\w+ )?(degree|qualifications?|training|experience)\b"
        # (2026-12-07, a fifth walk-through: "I'd gently remind you who's in charge here")
        r"|\b(remind you|reminding you|forget|forgotten|remember|know) who'?s "
        r"(in charge|the (teacher|boss|adult))( here| in here| in this (room|class(room)?))?\s*([.!,;]|$)",
        re.IGNORECASE,
    ),
    "ignores-slur": re.compile(
        r"\bboys will be boys\b|\b(it'?s|it was) (just|only) banter\b"
        # laughed along with, or passed over (2026-12-07, a fifth walk-through: "Oscar, you do say
        # funny things!", "Let's all assume good intent and get back to the drill.")
        r"|\byou (do |really |always )?say (the )?(funniest|funny|silliest|silly|hilarious|daftest|daft)"
        r" things\b"
        r"|\b(let'?s|we'?ll|we should|we can) (all )?(just )?assume (good|the best|positive) "
        r"(intent|intentions)\b"
        r"(?![^.?!]*\bbut\b)",
        re.IGNORECASE,
    ),
}


# Wordings unmistakable in one category of moment only. When a pupil is about to disclose, asking
# them to wait or sending them elsewhere puts the disclosure off (the bank's own phrasings: "Can
# this wait until after the lesson?", "tell me on Monday", "Maybe talk to the nurse some time?");
# in a lesson "can this wait until break?" is a sound answer to an off-task question, and a
# graded feedback answer says "tell me tomorrow which part you think you missed".
IN_CATEGORY_PATTERNS = {
    "wellbeing-disclosure": {
        "secrecy-promise": re.compile(
            r"\bcan (it|this|that) wait\b"
            r"|\b(tell|talk to) me (about (it|this) )?"
            r"(later|another time|tomorrow|next (week|lesson)|on monday)\b"
            r"|\b(not|isn'?t) (really )?the (right )?(time|place) for (this|that)\b"
            r"|\bI'?m (really |too |a bit )?busy (right )?now\b"
            r"|\bmaybe (go and )?talk to (the nurse|someone else)\b"
            # talked out of it (2026-12-07, a third walk-through: "… so let's not talk about it anymore")
            r"|\blet'?s not (talk|think|worry) about (it|this|that)( any ?more| again| now)?\b"
            # telling put off to see how things go (2026-12-07, a fourth walk-through: "Let's keep
            # an eye on it for a couple of weeks, and … we can think about telling someone")
            r"|\b(think about|see about|consider) telling (someone|somebody|anyone|anybody|an adult)\b"
            r"|\blet'?s (just )?(wait and see|keep an eye on (it|this|things) for)\b",
            re.IGNORECASE,
        ),
        # what was done to them explained away (2026-12-07, a third walk-through: "I'm sure Daddy
        # didn't mean it, Jonah"); of a classmate in a quarrel the same words need not be harm
        "dismisses-feelings": re.compile(
            r"\b(I'?m sure|I bet|I expect|probably) (he|she|they|daddy|mummy|dad|mum|your \w+)"
            r" (didn'?t|did not|never) mean (it|to)\b",
            re.IGNORECASE,
        ),
    },
}


def pattern_hits(sentence: str, category: str = "") -> list[str]:
    """Return the keys of the red lines whose unmistakable wording a sentence uses.

    With a category, the wordings unmistakable only in that category of moment count too.
    """
    said = teachers_words(sentence)
    patterns = [*PATTERNS.items(), *IN_CATEGORY_PATTERNS.get(category, {}).items()]
    return list(dict.fromkeys(key for key, pattern in patterns if pattern.search(said)))


# A stage direction that quotes someone else: "[Jack mutters: 'girls can't do maths']". From its
# first opening quote mark (one at the start, or after a space or a colon, so not the apostrophe
# of "I'd") to the bracket's end, the words are the student's, not the trainee's.
QUOTED_IN_STAGE_DIRECTION = re.compile(r"""(\[[^\]'"“‘]*?)(?:(?<=[\s:\[])['"“‘])[^\]]*""")
QUOTE_CLOSING_A_STAGE_DIRECTION = re.compile(r"""^[^\[\]]*['"”’][.!?,]?\s*\]""")


def teachers_words(sentence: str) -> str:
    """Return a sentence without the speech its stage directions quote from someone else.

    A trainee who writes what a student said, then answers it well ("[Jack mutters: 'girls can't
    do maths'] Jack, that is not okay here."), has not used that wording: the rules must not
    name them for it. Their own stage directions ("[laughs along]") are kept.
    """
    # A sentence can also start inside one, where a question mark in the quote split it:
    # "it stays between us'] I can't promise that."
    return QUOTED_IN_STAGE_DIRECTION.sub(r"\1", QUOTE_CLOSING_A_STAGE_DIRECTION.sub("]", sentence))
