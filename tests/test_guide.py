"""The guided walk-through and the points calculator as transcripts, and their deadlines."""

from __future__ import annotations

import datetime as dt

from domain.conversation import (
    ButtonPressed,
    CommandIssued,
    DialogueState,
    Role,
    Understanding,
    UserText,
)
from domain.flows import deadline_for, load_flows, reminder_plan
from domain.guide import control_word
from tests.dialogue_transcript import understood, verify_dialog


def typed(text: str, *entities: tuple[str, object], intent: str | None = None) -> UserText:
    """A typed answer; the edge's rules found these entities in it."""
    found = tuple({"entity": name, "value": value} for name, value in entities)
    return UserText(text, Understanding(intent, 0.9 if intent else 0.1, (), found))


def test_a_foreigner_from_abroad_gets_a_checklist_with_deadlines() -> None:
    state = verify_dialog(
        [
            (CommandIssued("guide"), ["guide.ask_role"]),
            (ButtonPressed("guide:role:foreigner"), ["guide.ask_where"]),
            (ButtonPressed("guide:where:abroad"), ["guide.ask_category"]),
            (ButtonPressed("guide:category:B"), ["guide.ask_arrival"]),
            (typed("I arrive on 30 January", ("date", "2027-01-30")), ["checklist", "step:0"]),
            (ButtonPressed("guide:done"), ["step:1"]),
            (ButtonPressed("guide:next"), ["step:2"]),
            (ButtonPressed("guide:back"), ["step:1"]),
            (ButtonPressed("guide:progress"), ["checklist"]),
            (ButtonPressed("guide:remind"), ["remind"]),
        ]
    )
    assert state.role is Role.FOREIGNER
    assert state.guide.flow == "from_abroad"
    assert state.guide.answers == {"category": "B", "arrival": "2027-01-30"}
    assert state.guide.done == ("employer_registration",)
    assert state.guide.reminders


def test_category_a_walks_the_r_visa_step_and_b_the_z_visa_step() -> None:
    flow = load_flows()["from_abroad"]
    assert "r_visa" in [s.id for s in flow.steps_for({"category": "A"})]
    assert "z_visa" not in [s.id for s in flow.steps_for({"category": "A"})]
    assert "z_visa" in [s.id for s in flow.steps_for({"category": ""})]


def test_an_employer_goes_straight_to_hiring_steps() -> None:
    state = verify_dialog(
        [
            (ButtonPressed("guide:start"), ["guide.ask_role"]),
            (ButtonPressed("guide:role:employer"), ["guide.ask_arrival"]),
            (ButtonPressed("guide:skip"), ["guide.ask_contract_end"]),
            (ButtonPressed("guide:skip"), ["checklist", "step:0"]),
        ]
    )
    assert state.guide.flow == "employer_hiring"


def test_an_unreadable_date_is_asked_again_and_a_question_interrupts() -> None:
    state = DialogueState(role=Role.FOREIGNER)
    state = verify_dialog(
        [
            (ButtonPressed("guide:start"), ["guide.ask_where"]),
            (ButtonPressed("guide:where:china"), ["guide.ask_situation"]),
            (ButtonPressed("guide:flow:extension"), ["guide.ask_expiry"]),
            (typed("soon-ish"), ["guide.bad_date", "guide.ask_expiry"]),
            (typed("how much is it?", intent="faq_fees"), ["answer:faq_fees", "guide.resume"]),
            (ButtonPressed("guide:resume"), ["guide.ask_expiry"]),
            (typed("31.03.2027", ("date", "2027-03-31")), ["checklist", "step:0"]),
        ],
        state,
    )
    assert state.guide.question is None and state.guide.walking


def test_cancel_back_and_start_over_work_in_any_language() -> None:
    state = DialogueState(role=Role.EMPLOYER)
    state = verify_dialog(
        [
            (ButtonPressed("guide:start"), ["guide.ask_arrival"]),
            (ButtonPressed("guide:skip"), ["guide.ask_contract_end"]),
            (ButtonPressed("guide:skip"), ["checklist", "step:0"]),
            (ButtonPressed("guide:next"), ["step:1"]),
            (typed("назад"), ["step:0"]),
            (typed("처음부터"), ["guide.ask_arrival"]),
            (typed("إلغاء"), ["unremind", "guide.cancelled"]),
        ],
        state,
    )
    assert state.guide.flow is None
    assert control_word("Start over!") == "restart"
    assert control_word("cancel the permit please") is None


def test_a_returning_person_is_offered_to_continue() -> None:
    state = DialogueState(role=Role.EMPLOYER)
    state = verify_dialog(
        [
            (ButtonPressed("guide:start"), ["guide.ask_arrival"]),
            (ButtonPressed("guide:skip"), ["guide.ask_contract_end"]),
            (ButtonPressed("guide:skip"), ["checklist", "step:0"]),
            (ButtonPressed("guide:next"), ["step:1"]),
        ],
        state,
    )
    verify_dialog(
        [
            (CommandIssued("start"), ["welcome", "guide.welcome_back"]),
            (ButtonPressed("guide:resume"), ["step:1"]),
            (understood("greet"), ["greet", "guide.welcome_back"]),
        ],
        state,
    )


def test_the_last_step_finishes_the_walk() -> None:
    state = DialogueState(role=Role.FOREIGNER)
    state = verify_dialog(
        [
            (ButtonPressed("guide:start"), ["guide.ask_where"]),
            (ButtonPressed("guide:where:china"), ["guide.ask_situation"]),
            (ButtonPressed("guide:flow:cancellation"), ["guide.ask_contract_end"]),
            (ButtonPressed("guide:skip"), ["checklist", "step:0"]),
        ],
        state,
    )
    steps = len(load_flows()["cancellation"].steps)
    for index in range(1, steps):
        state = verify_dialog([(ButtonPressed("guide:done"), [f"step:{index}"])], state)
    state = verify_dialog([(ButtonPressed("guide:done"), ["guide.finished"])], state)
    assert len(state.guide.done) == steps and not state.guide.walking


def test_the_points_calculator_asks_each_factor_then_estimates() -> None:
    state = verify_dialog(
        [
            (CommandIssued("points"), ["points.ask_salary"]),
            (typed("about 300k a year", ("amount", 300_000.0)), ["points.ask_degree"]),
            (ButtonPressed("points:degree:master"), ["points.ask_experience"]),
            (typed("5 years", ("years", 5.0), ("amount", 5.0)), ["points.ask_months"]),
            (ButtonPressed("points:months:9"), ["points.ask_chinese"]),
            (typed("I passed HSK 2", ("hsk_level", 2)), ["points.ask_age"]),
            (typed("no idea"), ["points.bad_answer", "points.ask_age"]),
            (typed("32", ("amount", 32.0)), ["points.ask_extras"]),
            (ButtonPressed("points:extras:no"), ["points"]),
        ]
    )
    assert state.guide.points == {
        "salary": "300000", "degree": "master", "experience": "5", "months": "9",
        "chinese": "2", "age": "32", "extras": "no",
    }  # fmt: skip


def test_the_calculator_answers_the_category_question_of_a_walk() -> None:
    state = DialogueState(role=Role.FOREIGNER)
    state = verify_dialog(
        [
            (ButtonPressed("guide:start"), ["guide.ask_where"]),
            (ButtonPressed("guide:where:abroad"), ["guide.ask_category"]),
            (ButtonPressed("points:start"), ["points.ask_salary"]),
            (ButtonPressed("points:salary:450000"), ["points.ask_degree"]),
            (ButtonPressed("points:degree:doctorate"), ["points.ask_experience"]),
            (typed("12", ("amount", 12.0)), ["points.ask_months"]),
            (ButtonPressed("points:months:9"), ["points.ask_chinese"]),
            (ButtonPressed("points:chinese:degree"), ["points.ask_age"]),
            (typed("35", ("amount", 35.0)), ["points.ask_extras"]),
            (ButtonPressed("points:extras:yes"), ["points", "guide.ask_arrival"]),
        ],
        state,
    )
    assert state.guide.answers["category"] == "A"


def test_deadlines_cross_month_ends_and_leap_years() -> None:
    flow = load_flows()["from_abroad"]
    steps = {s.id: s for s in flow.steps}
    answers = {"arrival": "2028-02-14"}  # 2028 is a leap year
    assert deadline_for(steps["work_permit_card"], answers).due == dt.date(2028, 2, 29)
    assert deadline_for(steps["residence_permit"], answers).due == dt.date(2028, 3, 15)
    assert deadline_for(steps["accommodation_registration"], answers).due == dt.date(2028, 2, 15)
    extension = {s.id: s for s in load_flows()["extension"].steps}["apply_extension"]
    window = deadline_for(extension, {"expiry": "2027-03-31"})
    assert (window.opens, window.due) == (dt.date(2026, 12, 31), dt.date(2027, 3, 1))


def test_reminders_come_the_day_before_at_ten_in_china() -> None:
    flow = load_flows()["from_abroad"]
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    plan = reminder_plan(flow, {"category": "B", "arrival": "2027-01-30"}, (), now)
    first = plan[0]
    assert first.step_id == "accommodation_registration"
    assert first.due_at.astimezone(dt.UTC) == dt.datetime(2027, 1, 30, 2, 0, tzinfo=dt.UTC)
    done = reminder_plan(flow, {"arrival": "2027-01-30"}, ("accommodation_registration",), now)
    assert "accommodation_registration" not in [p.step_id for p in done]
    assert reminder_plan(flow, {"arrival": "2020-01-30"}, (), now) == []
