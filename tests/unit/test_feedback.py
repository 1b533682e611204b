"""Feedback: model prose is checked against the facts; a template replaces it when it fails."""

import pytest

from ai.feedback import FeedbackFacts, FeedbackWriter, coaching_messages, template_coaching
from ai.guard import check_coaching
from ai.llm import FakeLLM
from practicum.errors import ModelUnavailable

NOTE = "Ask a question or give a hint so the student does the thinking."


def facts(band="developing") -> FeedbackFacts:
    return FeedbackFacts(
        52,
        band,
        ["You kept a calm tone."],
        ["Ask a question."],
        "Walk me through how you compared them.",
        "elicit thinking",
        NOTE,
    )


GOOD = "Next time, try asking a question or giving a hint so the student does the thinking."


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Next time, ask.", "length"),
        ("Next time, try asking a question or giving a hint so the student does", "unfinished"),
        ("Next time, try asking asking asking asking asking asking asking asking.", "repetition"),
        ("Next time, try a hint; your score was 90 so the student does the thinking.", "numbers"),
        ("Next time, excellent work, ask a question so the student does the thinking.", "praise"),
        ("Next time, do not ask a question or give a hint to the student thinking.", "negation"),
        ("Next time, try to smile warmly at the whole class every single morning.", "ignores"),
        ("I'm sure you're right, ask a question so the student does the thinking.", "form"),
    ],
)
def test_guard_rejects_degenerate_or_contradicting_text(text, reason):
    assert reason in check_coaching(text, NOTE, "developing")


def test_guard_accepts_a_faithful_sentence():
    assert check_coaching(GOOD, NOTE, "developing") is None


def test_praise_is_allowed_for_high_bands_only():
    praise = "Next time, excellent work again: ask a question so the student does the thinking."
    assert check_coaching(praise, NOTE, "exemplary") is None
    assert check_coaching(praise, NOTE, "needs_work") is not None


def test_model_path_is_recorded_when_the_guard_passes():
    feedback = FeedbackWriter(FakeLLM([GOOD])).write(facts())
    assert feedback.source == "model" and feedback.coaching == GOOD
    assert feedback.model_id == "fake-llm" and feedback.timings["tokens"] > 1
    assert "Score 52 — Developing." in feedback.text


def test_fallback_replaces_rejected_model_text_with_the_same_facts():
    feedback = FeedbackWriter(FakeLLM(["Next time, excellent, perfect, amazing job!"])).write(facts())
    assert feedback.source == "fallback"
    assert feedback.coaching == template_coaching(facts())
    assert "praise" in feedback.rejected_because
    assert "excellent" not in feedback.text


def test_no_model_means_no_prose_and_source_none():
    feedback = FeedbackWriter(None).write(facts())
    assert feedback.source == "none" and feedback.coaching == ""
    assert feedback.text.startswith("Score 52")


def test_time_limit_stops_a_slow_model():
    slow = FakeLLM([GOOD], delay_s=0.05)
    feedback = FeedbackWriter(slow, time_limit_s=0.12).write(facts())
    assert feedback.source == "fallback" and feedback.rejected_because == "time limit reached"


def test_unavailable_model_falls_back():
    class Broken(FakeLLM):
        def stream_chat(self, messages, max_tokens, grammar=None):
            raise ModelUnavailable("server down")
            yield ""

    feedback = FeedbackWriter(Broken()).write(facts())
    assert feedback.source == "fallback" and "server down" in feedback.rejected_because


def test_prompt_always_carries_a_system_message_and_the_note():
    messages = coaching_messages(facts())
    assert messages[0]["role"] == "system"
    assert messages[-1] == {"role": "user", "content": NOTE}


def test_the_verb_point_and_numbers_from_the_note_pass_but_new_numbers_do_not():
    note = "Point to the exact step in Maya's work where the thinking changes, without giving the fix."
    faithful = (
        "Next time, try pointing to the exact step in Maya's work where the thinking changes, "
        "without giving the fix."
    )
    assert check_coaching(faithful, note, "developing") is None
    timed = "Give Jordan two minutes to cool off at the back table."
    assert (
        check_coaching(
            "Next time, try giving Jordan two minutes to cool off at the back table.", timed, "developing"
        )
        is None
    )
    invented = (
        "Next time, try pointing to the exact step in Maya's work for 5 points, without giving the fix."
    )
    assert (
        check_coaching(invented, note, "developing") == "mentions numbers or scores the facts did not give it"
    )


def test_a_rephrasing_that_widens_the_note_is_refused():
    # SmolLM2 wrote this for a pupil's disclosure (2026-12-04): "anyone" turns the step round.
    note = "Tell Malik honestly that you cannot keep it secret, and say who you will share it with."
    widened = (
        "Next time, try telling Malik honestly that you cannot keep it secret "
        "and share the message with anyone."
    )
    assert "widens the note" in check_coaching(widened, note, "developing")
    faithful = (
        "Next time, try telling Malik honestly that you cannot keep it secret, and saying who you will tell."
    )
    assert check_coaching(faithful, note, "developing") is None
    everyone = "Say clearly that everyone belongs in this room."
    kept = "Next time, try saying clearly that everyone belongs in this room."
    assert check_coaching(kept, everyone, "developing") is None


def test_a_keep_note_is_said_as_it_is_not_as_something_to_try():
    from ai.feedback import template_coaching

    move = "Keep using this move: ask the student what she wants."
    keep = FeedbackFacts(88, "exemplary", [], [], "", "", move)
    assert template_coaching(keep) == "Next time, keep using this move: ask the student what she wants."
    done = FeedbackFacts(90, "exemplary", [], [], "", "", "Keep doing what worked.")
    assert template_coaching(done) == "Next time, keep doing what worked."


def test_the_move_to_keep_is_the_experts_only_when_the_answer_is_close_to_it():
    from ai.feedback import KEEP_MOVE_SIMILARITY, keep_note
    from embeddings.search import ExpertMatch

    strengths = ["You built on what Ana actually said about their thinking.", "You were warm."]

    def nearest(similarity):
        revoice = "Who can say Ana's idea in their own words?"
        return ExpertMatch(1, 1, revoice, "invite others to revoice", similarity)

    close = keep_note(strengths, nearest(KEEP_MOVE_SIMILARITY + 0.05))
    assert close == "Keep using this move: invite others to revoice."
    # Further off, the move is often not the trainee's: what the answer was measured doing is kept.
    far = keep_note(strengths, nearest(KEEP_MOVE_SIMILARITY - 0.1))
    assert far == "Keep doing what worked: you built on what Ana actually said about their thinking."
    assert keep_note([], None) == "Keep doing what worked."


# SmolLM2 wrote each of these for a graded answer, and the guard let it through (2026-12-05).
@pytest.mark.parametrize(
    "note, text, reason",
    [
        (
            "Hold back the answer and invite Kwame to test their own idea on a simpler example.",
            "Next time, try asking Kwame to test your idea on a simpler example.",
            "adds 'you' or 'your'",
        ),
        (
            "Frame the conversation as a partnership, asking the parent to work with you on one shared "
            "goal for their child.",
            "Next time, try framing the conversation as a partnership where you work together to achieve "
            "one shared goal for your child.",
            "adds 'you' or 'your'",
        ),
        (
            "Offer Tomás a face-saving choice, so the moment can end without a standoff.",
            "Next time, try offering Tomas a face-saving choice without giving the standoff.",
            "drops or changes a name the note has (Tomás)",
        ),
        (  # SmolLM2 wrote this for Łukasz once the shape let it write accented letters
            "Ask Łukasz to explain how they got their answer.",
            "Next time, try asking the child to explain how they got their answer.",
            "drops or changes a name the note has (Łukasz)",
        ),
        # SmolLM2 wrote these two on the unseen scenarios (2026-12-05, a second night).
        (
            "Raise any concern about Callum's work quietly and one to one, not in front of the class.",
            "Next time, try raising concerns about Callum's work quietly and one to one with the class.",
            "drops its 'not'",
        ),
        (
            "Give Ines one clear instruction with a time limit, then say when you will check back.",
            "Next time, try giving Ines one clear instruction and then checking back in two minutes.",
            "numbers or scores",
        ),
        (
            "Describe the behaviour, and avoid labels such as lazy or rude for Kai.",
            "Next time, try describing the behaviour with labels such as lazy or rude for Kai.",
            "drops its 'avoid'",
        ),
        (
            "Keep using this move: revoice the concern, then set group roles.",
            "Next time, try using this move to set up a new group role.",
            "turns a move to keep",
        ),
        (
            "Keep the work separate from Ruby as a person by talking about the idea, not about them.",
            "Next time, try talking about the idea without using Ruby as a person.",
            "adds a negation",
        ),
        # SmolLM2 wrote these on 2026-12-07, rephrasing every tip for two scenarios of each group.
        (
            "Keep your voice steady, and avoid singling anyone out in front of the class.",
            "Next time, try keeping your voice steady and avoid singing to anyone in front of the class.",
            "brings in words the note does not have (singing)",
        ),
        (
            "Agree one concrete step with the parent, such as a weekly note home about how their child "
            "is getting on.",
            "Next time, try agreeing one concrete step with the parent's request to have a weekly note "
            "home about their child getting on.",
            "brings in words the note does not have (request, have)",
        ),
        (
            "Open by saying you want their child to do well too, so the parent hears you are on the "
            "same side.",
            "Next time, try opening by saying you want your child to do well too and hearing the parent's "
            "perspective.",
            "drops or changes a name the note has (their child)",
        ),
        (  # a student's gender is the model's guess: the tips say "they"
            "Say what you noticed Leila doing, not what you think it says about them.",
            "Next time, try saying what you noticed Leila doing not what she thinks it says about them.",
            "brings in words the note does not have (she)",
        ),
        (
            "Thank Jade calmly for telling you, and say they did the right thing.",
            "Next time, try saying thank Jade for telling you the right thing.",
            "does not start from the note's first step",
        ),
        (
            "Restate the expectation clearly and tell Marcus you know they can meet it.",
            "Next time, try telling Marcus you know they can meet it.",
            "does not start from the note's first step",
        ),
        (
            "Ask Jade what would help them most, rather than assuming what their home life is like.",
            "Next time, try asking Jade what would help them most in their home life.",
            "drops its 'rather than'",
        ),
        (
            "Invite Marcus to say what would make this easier, and take the answer seriously.",
            "Next time, try inviting Marcus to say what would make this easier and take the answer "
            "seriously.",
            "leaves a later step of the note as an order ('take')",
        ),
        (
            "Ask Amelia an open how or why question, and let them do the key step themselves.",
            "Next time, try asking Amelia an open how or why question and let them do the key step "
            "themselves.",
            "leaves a later step of the note as an order ('let')",
        ),
        (  # SmolLM2 on 2026-12-07: the teacher's later step became Leila's
            "Redirect Leila privately and briefly, then walk away so there is no audience.",
            "Next time, try redirecting Leila privately and briefly to walk away so there is no audience.",
            "leaves a later step of the note as an order ('walk')",
        ),
        (  # SmolLM2 wrote this for Lucía on 2026-12-07 (practicum score): nobody here is called Ana
            "Raise any concern about Lucía's work quietly and one to one, not in front of the class.",
            "Next time, try raising concerns about Lucía's work quietly and one to one with Ana.",
            "brings in a name the note does not have (Ana)",
        ),
        # SmolLM2 on 2026-12-07: sentences rebuilt with small words the note lacks.
        (
            "Invite Jade to say which adults they trust, so the support fits their situation.",
            "Next time, try inviting Jade to say which adults they trust them with.",
            "reshapes the note with small words it does not have (them, with)",
        ),
        (
            "Put your idea to the parent as a question, so they can shape it to fit home life.",
            "Next time, try putting your idea to the parent as a question and shaping it into their own "
            "home life.",
            "reshapes the note with small words it does not have (into, their, own)",
        ),
        (  # SmolLM2 in a walk-through on 2026-12-07 (late): "to speak" went, and the sense with it
            "Invite Oscar to share their experience in their own terms, without asking them to speak for "
            "a whole group.",
            "Next time, try inviting Oscar to share their experience in their own terms without asking them "
            "for a whole group.",
            "drops a word from the middle of what it rules out",
        ),
        (  # SmolLM2 in a walk-through on 2026-12-07 (late): "so" became "while", and the sense went
            "Keep your face and voice calm, so Jonah does not feel they have shocked or upset you.",
            "Next time, try keeping your face and voice calm while Jonah does not feel they have shocked or "
            "upset you.",
            "links a clause with 'while'",
        ),
    ],
)
def test_a_rephrasing_that_changes_who_does_what_is_refused(note, text, reason):
    assert reason in (check_coaching(text, note, "developing") or "")


@pytest.mark.parametrize(
    "note, text",
    [
        (
            "Close by confirming who will do what next, and when you will speak again about their child.",
            "Next time, try confirming who will do what next and when you'll speak about their child again.",
        ),
        (
            "Ask Marcus for their side briefly before you decide what comes next.",
            "Next time, you could try asking Marcus for their side before you decide what comes next.",
        ),
        (  # one new small word and the join of two steps; "they're" is the note's "they are"
            "Tell Ethan you expect better because you know they are capable of it.",
            "Next time, try telling Ethan that you know they're capable of it and expecting better.",
        ),
        (
            "Describe the specific part of Kwame's answer that needs work, such as the second line.",
            "Next time, try describing the specific part of Kwame's answer that needs work.",
        ),
        (
            "Keep using this move: ask simple restorative questions to both children.",
            "Next time, keep asking simple restorative questions to both children.",
        ),
        (
            "Keep your face and voice calm, so Aaliyah does not feel they have shocked you.",
            "Next time, try keeping your face and voice calm so Aaliyah does not feel they have shocked you.",
        ),
        (
            "Invite the students to suggest how they could make it right, rather than dictating an apology.",
            "Next time, try inviting the students to suggest how they could make it right instead of "
            "dictating an apology.",
        ),
        (  # the negated phrase left out whole; "about" was said before the "not"
            "Keep the work separate from Tobi as a person by talking about the idea, not about them.",
            "Next time, try keeping the work separate from Tobi as a person by talking about the idea.",
        ),
        (  # "stop" as a move of its own, not a negation of what follows
            "Offer the smallest hint you can, then stop and let Leo finish the thinking.",
            "Next time, try offering the smallest hint you can and letting Leo finish the thinking.",
        ),
        (
            "Keep your voice steady, and avoid singling anyone out in front of the class.",
            "Next time, try keeping your voice steady and avoiding singling anyone out in front of others.",
        ),
        (
            "Keep your tone warm and non-defensive, and mention something you value about their child.",
            "Next time, try keeping your tone warm and non-defensive while mentioning something you value "
            "about their child.",
        ),
        (
            "Give Sam two minutes to finish, then ask for one sentence.",
            "Next time, try giving Sam two minutes to finish and then asking for one sentence.",
        ),
    ],
)
def test_a_faithful_rephrasing_still_passes(note, text):
    assert check_coaching(text, note, "developing") is None


def test_a_sentence_without_the_forms_comma_is_judged_not_a_crash():
    # "Next time" passes the form check with or without its comma; the guard reads the step after it.
    note = "Ask Leo what he thinks about the next step, take your time and try it."
    said = "Next time try asking Leo what he thinks about the next step."
    assert check_coaching(said, note, "developing") is None
