"""The red-line bank (scenarios/red_lines.yaml) and the unmistakable wordings caught by rule."""

from pathlib import Path

import pytest
import yaml

from ai.red_lines import (
    BANK_PATH,
    IN_CATEGORY_PATTERNS,
    PATTERNS,
    InvalidRedLineBank,
    load_bank,
    pattern_hits,
    shipped_bank,
    teachers_words,
)
from ai.rubric import CATEGORY_WEIGHTS, DIMENSIONS
from ai.signals import sentences

ROOT = Path(__file__).parents[2]
KEYS = {
    "secrecy-promise",
    "put-down",
    "public-shaming",
    "disproportionate-threat",
    "dismisses-feelings",
    "stereotype-deficit",
    "english-only",
    "ignores-slur",
    "gives-up",
    "escalates-argument",
}


def hits_per_sentence(text: str, category: str = "") -> list[str]:
    """The red lines a text's sentences use the unmistakable wording of (as the scorer reads it)."""
    return [key for sentence in sentences(text) for key in pattern_hits(sentence, category)]


def test_the_shipped_bank_loads_with_its_ten_red_lines():
    bank = load_bank()
    assert set(bank) == KEYS
    assert shipped_bank() == bank


@pytest.mark.parametrize("key", sorted(KEYS))
def test_each_red_line_has_enough_phrasings_near_misses_and_a_rubric_dimension(key):
    line = shipped_bank()[key]
    assert line.key == key and line.title.strip() and line.reason.strip()
    assert line.dimension in DIMENSIONS
    assert len(set(line.phrasings)) >= 12
    assert len(set(line.near_misses)) >= 6
    assert not set(line.phrasings) & set(line.near_misses)


def test_every_pattern_belongs_to_a_red_line_of_the_bank():
    assert set(PATTERNS) <= KEYS
    for category, patterns in IN_CATEGORY_PATTERNS.items():
        assert category in CATEGORY_WEIGHTS and set(patterns) <= KEYS


# What the rules must catch --------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, key",
    [
        ("Yes, I promise I won't tell anyone, it'll be our secret.", "secrecy-promise"),
        ("I swear I will not tell your mum.", "secrecy-promise"),
        ("Don't worry, this stays between us.", "secrecy-promise"),
        ("I'll keep it secret.", "secrecy-promise"),
        ("Please answer in English; we speak English in this class.", "english-only"),
        ("Speak English, please.", "english-only"),
        ("It's English only in here.", "english-only"),
        ("Oh, shut up and sit down.", "put-down"),
        ("That's a stupid question.", "put-down"),
        ("Kids like you never listen.", "stereotype-deficit"),
        ("Girls aren't good at physics anyway.", "stereotype-deficit"),
        ("Stop crying, it's only a quiz.", "dismisses-feelings"),
        ("You're overreacting, get over it.", "dismisses-feelings"),
        ("People like you always take shortcuts.", "stereotype-deficit"),
        ("Pull yourself together, Maya.", "dismisses-feelings"),
        ("Don't be such a baby about it.", "dismisses-feelings"),
        ("Honestly, I don't know what to do with you.", "gives-up"),
        ("Some kids just can't do fractions, and that's fine.", "gives-up"),
        ("One more time and you're off the football team.", "disproportionate-threat"),
        ("Do that again and I'll have you suspended.", "disproportionate-threat"),
        ("Don't you dare walk away from me.", "escalates-argument"),
        ("You'll do it because I said so.", "escalates-argument"),
        ("Come on, boys will be boys.", "ignores-slur"),
        ("Relax, it was only banter.", "ignores-slur"),
        # written from the red lines' definitions and PEDAGOGY.md's trainee errors (2026-12-07)
        ("Nice of you to join us, Jayden.", "put-down"),
        ("How many times do I have to tell you?", "put-down"),
        ("Were you even listening?", "put-down"),
        ("Stand up and apologise to everyone.", "public-shaming"),
        ("Tell the whole class what you said to her.", "public-shaming"),
        ("Your name is going on the board.", "public-shaming"),
        ("You can tell me, I won't tell anyone.", "secrecy-promise"),
        ("Just try to think positive, ok?", "dismisses-feelings"),
        ("Chin up, it's only one test.", "dismisses-feelings"),
        ("Other people have it much worse, you know.", "dismisses-feelings"),
        ("Just copy Priti's working for this one.", "gives-up"),
        ("Maybe maths just isn't for you.", "gives-up"),
        ("Lots of people aren't maths people, and that's fine.", "gives-up"),
        ("Fine, I'll just do it for you.", "gives-up"),
        ("The whole class will stay in at break until someone owns up.", "disproportionate-threat"),
        ("One more word and you'll never go on another trip.", "disproportionate-threat"),
        ("Your name's a bit tricky for me, is it ok if I just call you Sue?", "english-only"),
        ("Do as you're told.", "escalates-argument"),
        ("I'm the teacher and you're the student.", "escalates-argument"),
        ("Your secret is safe with me.", "secrecy-promise"),
        ("I'll keep it to myself, I promise.", "secrecy-promise"),
        ("You can tell me, and nobody else has to know.", "secrecy-promise"),
        ("Don't worry, this is just between you and me.", "secrecy-promise"),
        ("Whatever it is, it can stay just between the two of us.", "secrecy-promise"),
        ("You can trust me, I won't breathe a word.", "secrecy-promise"),
        ("I won't say a thing to anybody, you have my word.", "secrecy-promise"),
        ("Whatever you tell me won't go any further.", "secrecy-promise"),
        ("Mum's the word, I promise.", "secrecy-promise"),
        ("Ethan, that's a really unkind thing to say and you should be ashamed.", "put-down"),
        ("Shame on you, Kai.", "put-down"),
        ("Everyone look at how Ethan treats people.", "public-shaming"),
        ("Class, look at how Maya is behaving right now.", "public-shaming"),
        ("Ha, I nearly sprained my tongue on that one!", "english-only"),
        ("Your name is a real tongue twister, isn't it?", "english-only"),
        ("Sean it is, I'll never get my tongue round Olu-whatever.", "english-only"),
        ("It's just not safe for someone in a wheelchair, so you can keep score.", "stereotype-deficit"),
        ("Kids say that all the time, he's just trying to get attention.", "dismisses-feelings"),
        ("That's attention-seeking, nothing more.", "dismisses-feelings"),
        ("No text is that important, you'll survive an hour without it.", "dismisses-feelings"),
        ("There's really no reason to get in a state about it.", "dismisses-feelings"),
        ("It might help to speak English with her at home.", "english-only"),
        ("In this room I'm the one who decides, not you.", "escalates-argument"),
        # the third walk-through's wordings, each written wider than the sentence that showed it
        ("Don't worry, nothing you say is leaving this room.", "secrecy-promise"),
        ("It won't leave this office, I promise.", "secrecy-promise"),
        ("It's fine, this can just stay with us.", "secrecy-promise"),
        # the sixth walk-through's: an exception the student controls is no exception
        ("Whatever you say stays in this room unless you tell me otherwise.", "secrecy-promise"),
        ("It stays in this office, I promise.", "secrecy-promise"),
        ("Keep the Arabic for home, please.", "english-only"),
        ("That doesn't count unless you say it in English.", "english-only"),
        ("Alright, Miss Know-It-All, we heard you.", "put-down"),
        ("You never listen, do you?", "put-down"),
        ("Of course you don't know, you weren't looking.", "put-down"),
        ("That's a paragraph a six-year-old could write.", "put-down"),
        ("Leave the science to the people who actually revise.", "put-down"),
        ("Everyone, this is what a bad friend looks like.", "public-shaming"),
        ("Let's all make sure we don't do what she did.", "public-shaming"),
        ("You'll be sitting out at break for the rest of the week.", "disproportionate-threat"),
        ("You're spending every lunch this week with me.", "disproportionate-threat"),
        ("No more football for anyone until next Monday.", "disproportionate-threat"),
        ("You could have checked the portal if you were that worried.", "escalates-argument"),
        ("Watch your attitude, I ask the questions here.", "escalates-argument"),
        ("You're making way too much of it, get a grip.", "dismisses-feelings"),
        ("A few tears over homework never hurt anyone.", "dismisses-feelings"),
        ("That's just an excuse for being lazy.", "dismisses-feelings"),
        ("Her hand is up, so she can answer for you.", "gives-up"),
        ("To save time, just write 'the author shows greed ruins people'.", "gives-up"),
        ("Some kids just aren't algebra people.", "gives-up"),
        # the fourth walk-through's, from calm and polite answers
        ("I promise this won't go any further than this office.", "secrecy-promise"),
        ("If you'd been listening you would know the answer.", "put-down"),
        ("Maybe if you had paid attention it would have come to you.", "put-down"),
        ("It's well beyond what you usually write, so I doubt it.", "put-down"),
        ("I found it hard to believe this was your own.", "put-down"),
        ("Your essay isn't nearly as good as you think.", "put-down"),
        ("Sam will tell the whole group what she said.", "public-shaming"),
        ("He'll apologise to her in front of the whole class.", "public-shaming"),
        ("You can all keep count of every time he calls out.", "public-shaming"),
        ("You'll just have to take my word for it.", "escalates-argument"),
        ("Please take my word over your son's.", "escalates-argument"),
        ("I'm the one with the teaching degree here.", "escalates-argument"),
        ("Let me save you the struggle: it's 0.3.", "gives-up"),
        ("Leave the hard ones to the others.", "gives-up"),
        ("Reading does tend to run in families.", "stereotype-deficit"),
        ("With your ADHD, a whole hour of writing would only frustrate you.", "stereotype-deficit"),
        # the fifth walk-through's, calm wordings and harm after the experts' words
        ("Let's keep this between the two of us for now.", "secrecy-promise"),
        ("It can stay between you and me.", "secrecy-promise"),
        ("Your mum won't hear a word about it from me.", "secrecy-promise"),
        ("Whatever you say, it doesn't have to go beyond me.", "secrecy-promise"),
        ("Block him, and there's no need to tell it to anyone else.", "secrecy-promise"),
        ("Let's stick to English in this lesson so everyone can follow.", "english-only"),
        ("Please keep your answers in English today.", "english-only"),
        ("Nobody wants to hear the answer shouted out every time.", "put-down"),
        ("This isn't the Jayden show.", "put-down"),
        ("Class, this is a perfect example of what not to do.", "public-shaming"),
        ("Everyone, look, this is the mistake I told you about.", "public-shaming"),
        ("Everyone, Sam has a different sheet because he has dyslexia.", "public-shaming"),
        ("Reading just isn't a priority in some homes.", "stereotype-deficit"),
        ("Children from deprived backgrounds often don't value homework.", "stereotype-deficit"),
        ("Netball is built for people on their feet.", "stereotype-deficit"),
        ("The sidelines would be the safest place for you.", "stereotype-deficit"),
        ("It really isn't worth crying about.", "dismisses-feelings"),
        ("Honestly, I wouldn't worry about it.", "dismisses-feelings"),
        ("Everyone gets nervous before tests, so it's nothing to worry about.", "dismisses-feelings"),
        ("He's obviously not up to it this morning.", "gives-up"),
        ("Algebra is never going to be your thing.", "gives-up"),
        ("I'll rewrite your introduction for you.", "gives-up"),
        ("If I hear that again I'm keeping the whole class in at lunch.", "disproportionate-threat"),
        ("Don't forget who's in charge in here.", "escalates-argument"),
        ("You always say the silliest things, Max!", "ignores-slur"),
        ("We'll just assume good intentions and move on.", "ignores-slur"),
    ],
)
def test_an_unmistakable_wording_is_caught_as_its_red_line(sentence, key):
    assert key in pattern_hits(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I won't tell anyone it was you who told me.",  # a witness kept safe
        "I won't tell anyone in the class, but I will need to tell Ms Ortiz.",
        "I won't tell anyone who doesn't need to know.",
        "Lots of people think they aren't maths people at first.",
        "What would you like me to call you?",
        "Everyone, look at the board: this is what happens when you multiply by ten.",
        "I'll come back and check it with you, rather than do it for you.",
        "Nobody else needs to know it was you.",
        "I can't keep it to myself, because I need to keep you safe.",
        "That secret is not safe with me if someone is hurting you.",
        "This can't stay just between us, because I need to keep you safe.",
        "It isn't just between you and me any more.",
        "I won't say a word until you're ready.",
        "I won't say a word to the class, but I will need to tell Ms Ortiz.",
        "It won't go any further than Ms Rahman, our safeguarding lead.",
        "You should never be ashamed of asking for help.",
        "Nobody should be ashamed of their accent.",
        "Everyone, look at how Maya solved this one.",
        "I might trip over your name at first, so please correct me.",
        "Could you say it slowly so I can get it right?",
        "Is it safe for someone in a wheelchair to play this way? Let's ask Ellie what works.",
        "I want to give your worry the attention it deserves.",
        "Let's pay attention to what the graph shows.",
        "There's no need to rush; take your time.",
        "Which language do you speak with her at home? It may help me to know.",
        "You're the one who decides which poem we read first.",
        "What you say to the group stays in the group, unless someone might be unsafe.",
        "Keep your phone for home, please.",
        "Your answer counts in any language; then we'll find the English together.",
        "Nobody is a know-nothing here; everyone's still learning.",
        "You listen so carefully to others, do you know that?",
        "Of course you can ask again, that's what I'm here for.",
        "Everyone, this is what a strong opening sentence looks like.",
        "Make sure you do what the question asks.",
        "No phones for anyone until the end of the lesson.",
        "If you're worried, you can check the portal any time, and I'll email you each Friday.",
        "I'll ask the questions at first, then you take over.",
        "I can see this matters a lot to you.",
        "She can help you set up the equipment.",
        "To save time, I'll hand out the sheets while you think.",
        "Some kids aren't sure where to start, and that's normal.",
        "It won't go any further than this room unless someone is at risk.",
        "What you tell me stays in this room unless you or someone else is in danger.",
        "I can't promise that what you say stays in this room, because I may need to tell Ms Lindqvist.",
        "If you'd like to listen first, that's fine; then have a go.",
        "If you followed the steps, show me where it changed.",
        "It's beyond what you needed to do, and I'd love to hear how you did it.",
        "It was hard to believe at first, but the data backs you up.",
        "This is as good as you think it is, honestly.",
        "Tell the whole group what you noticed about the graph.",
        "You don't have to apologise in front of everyone; we'll talk privately.",
        "Let's keep count of how many examples we find together.",
        "Don't take my word for it: test it with the two balls.",
        "Save your energy for the last question.",
        "Leave that one for tomorrow; we'll do it together.",
        "I'm not sure maths runs in families the way eye colour does.",
        "With your dyslexia in mind, I've printed it on cream paper; the task is the same.",
        "With your dyslexia, there's no reason you can't do the full sheet.",
        "If you'd follow me to the door for a second, please.",
        "This isn't as hard as you think; look at the first step.",
        "I can't keep this between us, because your safety comes first.",
        "I'm not allowed to keep things between us when someone could be hurt.",
        "Your mum won't hear about it from me until we've talked together first.",
        "Keep your Spanish and your English side by side in your notes.",
        "Nobody here will laugh; we want to hear your idea.",
        "Everyone, look at how Aroha checked her answer; that's a great habit.",
        "Families are busy, and that doesn't mean they don't care about homework.",
        "The bench is for anyone who needs a rest, and you're playing the next point.",
        "It's worth getting upset about, and I'm glad you told me.",
        "I wouldn't worry about it alone: let's make a plan together.",
        "If he's not up to it today, I'll find him a way in.",
        "It's going to be your strength if you keep practising like this.",
        "I won't write it for you, but I'll sit with you while you try.",
        "I won't keep the whole class behind for one person.",
        "Does everyone know who's on the safeguarding team?",
        "Do you know who's the adult you'd most like to talk to?",
        "Remember who's in charge of the equipment today, Sam.",
        "You say such interesting things; tell me more about that idea.",
        "I assume good intent, but words can still hurt, so let's talk about it.",
    ],
)
def test_a_sound_sentence_sharing_the_new_wordings_words_is_not_caught(sentence):
    assert pattern_hits(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Can it wait till after the lesson? I'm really busy right now.",
        "This isn't really the time for this, Jade.",
        "Tell me about it tomorrow, OK?",
        "Maybe talk to the nurse about it.",
        "Let's keep an eye on it for a week or so.",
        "If it keeps happening we can think about telling someone.",
    ],
)
def test_putting_off_a_disclosure_is_caught_only_where_a_pupil_is_disclosing(sentence):
    assert "secrecy-promise" in hits_per_sentence(sentence, "wellbeing-disclosure")
    assert hits_per_sentence(sentence, "low-level-disruption") == []  # "can this wait until break?"


def test_a_disclosure_talked_away_is_caught_only_where_a_pupil_is_disclosing():
    talked_away = "I'm sure Daddy didn't mean it, so let's not talk about it anymore."
    assert hits_per_sentence(talked_away, "wellbeing-disclosure") == ["secrecy-promise", "dismisses-feelings"]
    # after a quarrel the same words can close a settled matter and move the lesson on
    settled = "I'm sure she didn't mean it. Let's not talk about it now."
    assert hits_per_sentence(settled, "peer-conflict") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "[Jack mutters: 'girls can't do maths anyway'] Jack, that comment is not okay in this room.",
        "[Jade: 'promise you won't tell anyone? it stays between us'] I can't promise that, Jade.",
        '[Kyle at the back: "Speak English, miss!" Some laugh.] Kyle, we welcome every language.',
        "[Leo laughs: \u201cshut up, stupid answer\u201d] Leo, we don't speak to each other like that.",
        "[a boy mutters 'speak English' and a few kids laugh] That isn't how we talk about anyone here.",
    ],
)
def test_what_a_stage_direction_quotes_a_student_saying_is_not_the_trainees_wording(sentence):
    assert pattern_hits(sentence) == []


@pytest.mark.parametrize(
    "sentence, key",
    [
        ("[I'd say it quietly] Shut up, Liam.", "put-down"),
        ("[quietly] It'll stay between us, I promise.", "secrecy-promise"),
        ("[to Jack, laughing] Girls can't do maths anyway, Jack.", "stereotype-deficit"),
        ("[Jack: 'what?'] Please speak English in here.", "english-only"),
    ],
)
def test_the_trainees_own_words_around_a_stage_direction_are_still_read(sentence, key):
    assert key in pattern_hits(sentence)


def test_only_the_quoted_speech_of_a_stage_direction_is_set_aside():
    assert teachers_words("[Jack mutters: 'you people'] Jack, no.") == "[Jack mutters: ] Jack, no."
    assert teachers_words("[I'd kneel down] Thank you, Sam.") == "[I'd kneel down] Thank you, Sam."
    assert teachers_words("Say 'please', Sam.") == "Say 'please', Sam."
    # The quote's question mark split the sentence inside the stage direction.
    assert teachers_words("it stays between us'] I can't promise that.") == "] I can't promise that."
    assert teachers_words("I'd kneel down] It stays between us.") == "I'd kneel down] It stays between us."


# What the rules must never catch ----------------------------------------------------------------


def near_misses():
    return [
        pytest.param(text, id=f"{key}-{i}")
        for key, line in sorted(shipped_bank().items())
        for i, text in enumerate(line.near_misses)
    ]


# An expert response the rules once caught: "people like you" in "you don't see yourself, or
# people like you, in what we read" is not a stereotype (the pattern no longer has it).
KNOWN_WRONG: dict = {}


def shipped_scenarios() -> list[dict]:
    """Every shipped scenario, as its set file has it."""
    return [
        item
        for path in sorted((ROOT / "scenarios" / "sets").glob("*.yaml"))
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]
    ]


def expert_responses(scenarios: list[dict]):
    cases = []
    for item in scenarios:
        for i, expert in enumerate(item["expert_responses"]):
            bug = KNOWN_WRONG.get((item["key"], i))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            cases.append(pytest.param(expert["text"], item["category"], id=f"{item['key']}-{i}", marks=marks))
    return cases


def graded_sound_answers(scenarios: list[dict]):
    cases, categories = [], {item["key"]: item["category"] for item in scenarios}
    folders = (ROOT / "bench" / "data" / "graded", ROOT / "bench" / "data" / "hard")
    for path in sorted(p for folder in folders for p in folder.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, answer in enumerate(document["answers"]):
            if answer["grade"] >= 3:
                cases.append(
                    pytest.param(
                        answer["text"],
                        categories[answer["scenario"]],
                        id=f"{path.parent.name}-{path.stem}-{answer['scenario']}-{i}",
                    )
                )
    return cases


SCENARIOS = shipped_scenarios()
NEAR_MISSES, EXPERTS, GRADED = near_misses(), expert_responses(SCENARIOS), graded_sound_answers(SCENARIOS)


def test_the_sources_checked_below_are_not_empty():
    assert len(NEAR_MISSES) >= 60 and len(EXPERTS) >= 100 and len(GRADED) >= 50


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_no_pattern_matches_a_near_miss(text):
    for category in ("", *IN_CATEGORY_PATTERNS):  # a near miss belongs to no one category
        assert hits_per_sentence(text, category) == []


@pytest.mark.parametrize("text, category", EXPERTS)
def test_no_pattern_matches_an_expert_response(text, category):
    assert hits_per_sentence(text, category) == []


@pytest.mark.parametrize("text, category", GRADED)
def test_no_pattern_matches_a_graded_answer_of_grade_three_or_four(text, category):
    assert hits_per_sentence(text, category) == []


# Refusing a broken bank -------------------------------------------------------------------------


def entry(key="put-down", **changes):
    item = {
        "key": key,
        "title": "Sarcasm",
        "dimension": "warmth",
        "reason": "It costs the student their dignity.",
        "phrasings": ["Nice of you to join us.", "Wow, genius.", "Seriously?"],
        "near_misses": ["Nice to see you."],
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def write_bank(tmp_path, *entries) -> Path:
    path = tmp_path / "red_lines.yaml"
    path.write_text(yaml.safe_dump({"key": "red-lines", "title": "Red lines", "red_lines": list(entries)}))
    return path


def test_a_minimal_valid_bank_loads(tmp_path):
    bank = load_bank(write_bank(tmp_path, entry(), entry("gives-up", dimension="expectations")))
    assert set(bank) == {"put-down", "gives-up"} and bank["gives-up"].dimension == "expectations"
    assert bank["put-down"].phrasings == ("Nice of you to join us.", "Wow, genius.", "Seriously?")


@pytest.mark.parametrize(
    "entries, problem",
    [
        ([entry(), entry()], "'put-down' appears twice"),
        ([entry(dimension="tone")], "'tone' is not one of"),
        ([entry(reason=None)], "'reason' is a required property"),
        ([entry(reason="")], "red_lines/0/reason"),
        ([entry(phrasings=["Only one."])], "red_lines/0/phrasings"),
        ([entry(colour="red")], "'colour' was unexpected"),
        ([entry(in_category={"parents": {"title": "T", "reason": "R"}})], "no category 'parents'"),
        ([entry(in_category={"defiance": {"title": "T"}})], "'reason' is a required property"),
    ],
    ids=[
        "duplicate key",
        "unknown dimension",
        "missing reason",
        "empty reason",
        "few phrasings",
        "typo",
        "unknown category",
        "category without a reason",
    ],
)
def test_a_broken_bank_is_refused_naming_the_problem(tmp_path, entries, problem):
    with pytest.raises(InvalidRedLineBank) as refused:
        load_bank(write_bank(tmp_path, *entries))
    assert problem in str(refused.value)


def test_every_problem_is_named_at_once(tmp_path):
    with pytest.raises(InvalidRedLineBank) as refused:
        load_bank(write_bank(tmp_path, entry(dimension="tone"), entry(reason=None)))
    message = str(refused.value)
    assert "'tone' is not one of" in message and "'reason' is a required property" in message


def test_the_shipped_bank_file_is_the_one_loaded_by_default():
    assert BANK_PATH == ROOT / "scenarios" / "red_lines.yaml" and BANK_PATH.is_file()


@pytest.mark.parametrize("key", sorted(KEYS))
def test_a_parent_conversation_reads_each_red_line_in_its_own_words(key):
    # A talk with a parent has no class watching: the general wording speaks of one.
    line = shipped_bank()[key]
    title, reason = line.worded_for("family-communication")
    assert (title, reason) != (line.title, line.reason)
    assert not any(word in f"{title} {reason}".lower() for word in ("the class", "peers", "in front of"))
    assert line.worded_for("defiance") == (line.title, line.reason)


@pytest.mark.parametrize("key", sorted(KEYS))
@pytest.mark.parametrize(
    "category", ["misconception", "defiance", "wellbeing-disclosure", "family-communication"]
)
def test_each_red_line_says_what_to_do_in_its_place_as_plain_steps(key, category):
    steps = shipped_bank()[key].instead_for(category)
    assert len(set(steps)) >= 2
    for step in steps:
        written = step.format(name="their child" if category == "family-communication" else "Sam")
        assert written[0].isupper() and written.endswith(".") and ". " not in written, written
        assert 6 <= len(written.split()) <= 30 and "{" not in written, written
        # A parent is spoken to in a family moment: its steps speak of "their child", by no name.
        assert category != "family-communication" or "{name}" not in step, step


def test_a_red_line_in_a_parent_conversation_is_explained_for_the_family():
    from dataclasses import replace

    from ai.scoring import score_text
    from embeddings.embedder import FakeEmbedder
    from tests.scenario_items import scoring_inputs

    item = yaml.safe_load((ROOT / "tests" / "fixtures" / "mini-set.yaml").read_text())["scenarios"][1]
    facts, experts = scoring_inputs(item)
    text = "Honestly, get over it. He will be fine."
    in_class = score_text(FakeEmbedder(), text, facts, experts)
    with_parent = score_text(FakeEmbedder(), text, replace(facts, category="family-communication"), experts)
    bank = shipped_bank()["dismisses-feelings"]
    assert [(h.title, h.reason) for h in in_class.red_lines] == [(bank.title, bank.reason)]
    assert [(h.title, h.reason) for h in with_parent.red_lines] == [bank.worded_for("family-communication")]
