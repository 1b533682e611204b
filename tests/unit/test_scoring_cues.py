"""The maths-aware cues behind the fitted heads' structure signals (ai/cues.py)."""

from ai import cues


def test_error_step_is_the_students_step_the_expert_addresses():
    student = "There are 6 x 2 = 12 double windows.\nThe panels downstairs are 12 x 4 x 2 = 96."
    assert cues.error_step(student, "12 downstairs, but why times 2 again?") == (
        "The panels downstairs are 12 x 4 x 2 = 96."
    )
    assert cues.error_step(student, "Great!") == ""


def test_expressions_read_worked_steps_whatever_the_operator_sign():
    steps = cues.expressions("6 \u00d7 2 and 12*4 and 96 + 32")
    assert steps == {("6", "x", "2"), ("12", "x", "4"), ("96", "+", "32")}
    assert cues.expressions("no sums here") == set()


def test_quotation_marks_do_not_hide_a_question_or_a_sentence_start():
    assert cues.is_question('Which number times 3 equals 24?"')
    assert not cues.is_question("Work it out.")
    assert cues.IMPERATIVE.search(cues.normalise("\"Let's try that again."))
