"""The dialogue logic, without any network: each test reads like a transcript."""

from __future__ import annotations

from domain.conversation import (
    ButtonPressed,
    CommandIssued,
    DialogueState,
    Mode,
    Understanding,
    UnsupportedContent,
    UserText,
)
from tests.dialogue_transcript import understood, verify_dialog


def test_greeting_then_a_question() -> None:
    verify_dialog(
        [
            (understood("greet"), ["greet"]),
            (understood("faq_fees"), ["answer:faq_fees"]),
            (understood("thanks"), ["thanks"]),
            (understood("goodbye"), ["goodbye"]),
        ]
    )


def test_start_and_help_commands() -> None:
    verify_dialog(
        [
            (CommandIssued("start"), ["welcome"]),
            (CommandIssued("help"), ["capabilities"]),
            (CommandIssued("frobnicate"), ["unknown_command"]),
        ]
    )


def test_language_command_and_picker() -> None:
    state = verify_dialog(
        [
            (CommandIssued("language"), ["language.choose"]),
            (ButtonPressed("lang:ar"), ["language.switched"]),
        ]
    )
    assert state.lang == "ar" and state.lang_chosen
    state = verify_dialog([(CommandIssued("language", "vi"), ["language.switched"])], state)
    assert state.lang == "vi"


def test_asking_for_a_language_by_name_switches_to_it() -> None:
    ask = understood("change_language", entities=({"entity": "language", "value": "ko"},))
    state = verify_dialog([(ask, ["language.switched"])])
    assert state.lang == "ko"


def test_low_confidence_offers_closest_topics_then_an_officer() -> None:
    unsure = UserText(
        "hmm",
        Understanding("faq_fees", 0.2, (("faq_fees", 0.2), ("faq_processing_time", 0.18))),
    )
    state = verify_dialog(
        [
            (unsure, ["miss", "miss.not_understood"]),
            (understood("out_of_scope"), ["miss", "miss.offer_officer"]),
            (understood("affirm"), ["handoff", "handoff.note_prompt"]),
        ]
    )
    assert state.mode is Mode.WAITING_FOR_OFFICER


def test_declining_the_officer_keeps_the_bot_talking() -> None:
    state = verify_dialog(
        [
            (understood("request_human"), ["handoff.confirm"]),
            (ButtonPressed("no"), ["handoff.declined"]),
            (understood("faq_fees"), ["answer:faq_fees"]),
        ]
    )
    assert state.mode is Mode.BOT


def test_the_bot_keeps_quiet_while_an_officer_has_the_chat() -> None:
    verify_dialog(
        [(understood("faq_fees"), []), (ButtonPressed("topic:faq_fees"), [])],
        DialogueState(mode=Mode.WITH_OFFICER),
    )


def test_a_hit_resets_the_miss_count() -> None:
    state = verify_dialog(
        [
            (understood("out_of_scope"), ["miss", "out_of_scope"]),
            (understood("faq_fees"), ["answer:faq_fees"]),
            (understood("out_of_scope"), ["miss", "out_of_scope"]),
        ]
    )
    assert state.misses == 1


def test_without_the_nlu_the_search_results_are_offered() -> None:
    verify_dialog(
        [
            (UserText("residence permit fee", None, ("faq_fees",)), ["degraded.search_hits"]),
            (UserText("???", None, ()), ["degraded.menu"]),
        ]
    )


def test_unreadable_content_gets_an_answer() -> None:
    verify_dialog(
        [
            (UnsupportedContent("photo"), ["unsupported"]),
            (UnsupportedContent("empty"), ["empty"]),
            (UnsupportedContent("too_long"), ["too_long"]),
        ]
    )


def test_stale_buttons_are_explained() -> None:
    verify_dialog([(ButtonPressed("topic:nonexistent"), ["button.stale"])])


def test_topics_that_need_an_officer_suggest_one() -> None:
    verify_dialog([(understood("faq_lost_permit"), ["answer:faq_lost_permit", "handoff.suggest"])])


def test_state_survives_a_round_trip_through_its_columns() -> None:
    state = DialogueState(lang="ja", lang_chosen=True, misses=1, last_topic="faq_fees")
    again = DialogueState.from_columns(
        lang=state.lang, role=None, mode=state.mode.value, dialogue=state.to_json()
    )
    assert again == state
