"""The guided walk-through and the points calculator, as pure dialogue steps.

The walk-through asks only what changes the path (role, where the person is, the situation in
China, the permit category, the dates deadlines count from), then shows the personal checklist
and walks it step by step. Questions can be answered with buttons or typed ("I arrived on
3 March", "2 years", "30万"); the edge passes the values the rules found as entities.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any

from domain.conversation import Button, Reply, Role
from domain.flows import load_flows
from domain.guide_state import Guide
from domain.points import SALARY_BRACKETS, Degree, Profile

PREFIX = "guide:"
POINTS_PREFIX = "points:"
DATE_QUESTIONS = {"arrival": "guide.ask_arrival", "expiry": "guide.ask_expiry",
                  "contract_end": "guide.ask_contract_end"}  # fmt: skip
SITUATION_FLOWS = ("change_employer", "switch_residence_type", "extension", "cancellation")
CATEGORIES = ("A", "B", "C", "unknown")
POINTS_QUESTIONS = ("salary", "degree", "experience", "months", "chinese", "age", "extras")

# Typed words that steer a walk-through in any product language (matched whole, normalised).
CONTROL_WORDS = {
    "cancel": (
        "cancel", "stop", "quit", "取消", "退出", "停止", "취소", "그만", "キャンセル",
        "やめる", "отмена", "стоп", "отменить", "annuler", "arrêter", "abbrechen", "stopp",
        "cancelar", "parar", "إلغاء", "الغاء", "توقف", "hủy", "huỷ", "dừng", "huy",
    ),
    "back": (
        "back", "previous", "返回", "上一步", "뒤로", "이전", "戻る", "前へ", "назад",
        "retour", "précédent", "zurück", "atrás", "anterior", "رجوع", "السابق", "quay lại",
        "quay lai", "trở lại",
    ),
    "restart": (
        "start over", "restart", "重新开始", "重来", "처음부터", "다시 시작", "最初から",
        "やり直し", "заново", "сначала", "recommencer", "von vorne", "neu starten",
        "empezar de nuevo", "reiniciar", "من البداية", "ابدأ من جديد", "bắt đầu lại",
        "làm lại",
    ),
}  # fmt: skip


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFKC", text).casefold()).split())


@cache
def _control_actions() -> dict[str, str]:
    return {_normalise(word): action for action, words in CONTROL_WORDS.items() for word in words}


def control_word(text: str) -> str | None:
    """ "cancel", "back" or "restart" when the whole message is one of those words."""
    return _control_actions().get(_normalise(text))


def payload(*parts: str) -> str:
    return PREFIX + ":".join(parts)


def button(title: str, *parts: str, **params: Any) -> Button:
    return Button(title=title, payload=payload(*parts), params=params)


WALK_BUTTONS = (
    button("guide.button.done", "done"),
    button("guide.button.next", "next"),
    button("guide.button.back", "back"),
    button("guide.button.progress", "progress"),
    button("guide.button.remind", "remind"),
    button("guide.button.stop", "cancel"),
)
RESUME_BUTTONS = (button("guide.button.resume", "resume"), button("guide.button.stop", "cancel"))


# Questions answered by tapping one of a few buttons: (question key, ((title, value), ...)).
CHOICES = {
    "role": (
        "guide.ask_role",
        (("guide.button.foreigner", "foreigner"), ("guide.button.employer", "employer")),
    ),
    "where": (
        "guide.ask_where",
        (("guide.button.abroad", "abroad"), ("guide.button.in_china", "china")),
    ),
}


def ask(question: str) -> tuple[Any, ...]:
    """The reply that asks a question of the walk-through or the calculator."""
    if question in CHOICES:
        key, options = CHOICES[question]
        return (
            Reply(key, buttons=tuple(button(title, question, value) for title, value in options)),
        )
    if question == "situation":
        return (
            Reply(
                "guide.ask_situation",
                buttons=tuple(button("flow.title", "flow", f, flow=f) for f in SITUATION_FLOWS),
            ),
        )
    if question == "category":
        return (
            Reply(
                "guide.ask_category",
                buttons=(
                    *(button(f"guide.button.category_{c}", "category", c) for c in CATEGORIES),
                    Button(title="guide.button.points", payload=POINTS_PREFIX + "start"),
                ),
            ),
        )
    if question in DATE_QUESTIONS:
        return (Reply(DATE_QUESTIONS[question], buttons=(button("guide.button.skip", "skip"),)),)
    return ask_points(question.removeprefix("points."))


def ask_points(question: str) -> tuple[Any, ...]:
    key = f"points.ask_{question}"
    buttons: tuple[Button, ...] = ()
    if question == "salary":
        bounds = [b for b, _ in SALARY_BRACKETS]
        buttons = tuple(
            Button(
                "points.salary_range",
                f"{POINTS_PREFIX}salary:{low * 10_000}",
                {"low": low * 10_000, "high": (bounds[i - 1] * 10_000) if i else None},
            )
            for i, low in enumerate(bounds)
        ) + (Button("points.salary_below", f"{POINTS_PREFIX}salary:0", {"high": 50_000}),)
    elif question == "degree":
        buttons = tuple(
            Button(f"points.degree_{d.value}", f"{POINTS_PREFIX}degree:{d.value}") for d in Degree
        )
    elif question == "months":
        buttons = tuple(
            Button(f"points.months_{m}", f"{POINTS_PREFIX}months:{m}") for m in (9, 6, 3, 0)
        )
    elif question == "chinese":
        buttons = tuple(
            Button("points.hsk_level", f"{POINTS_PREFIX}chinese:{n}", {"level": n})
            for n in range(1, 6)
        ) + (
            Button("points.hsk_none", f"{POINTS_PREFIX}chinese:0"),
            Button("points.chinese_degree", f"{POINTS_PREFIX}chinese:degree"),
        )
    elif question == "extras":
        buttons = (
            Button("button.yes", f"{POINTS_PREFIX}extras:yes"),
            Button("button.no", f"{POINTS_PREFIX}extras:no"),
        )
    return (Reply(key, buttons=buttons),)


def flow_for_role(role: Role | None) -> str | None:
    return "employer_hiring" if role is Role.EMPLOYER else None


def next_question(guide: Guide, role: Role | None) -> str | None:
    """The first thing still unknown that changes this person's path."""
    if guide.flow is None:
        if role is None:
            return "role"
        return "where"
    flow = load_flows()[guide.flow]
    if guide.flow == "from_abroad" and "category" not in guide.answers:
        return "category"
    for event in flow.events:
        if event in DATE_QUESTIONS and event not in guide.answers:
            return event
    return None


def entity_value(entities: tuple[Mapping[str, Any], ...], name: str) -> Any:
    return next((e["value"] for e in entities if e.get("entity") == name), None)


def points_answer(question: str, text: str, entities: tuple[Mapping[str, Any], ...]) -> str | None:
    """A typed answer to a calculator question, if the text holds one."""
    if question == "salary":
        amount = entity_value(entities, "amount")
        return str(int(amount)) if amount is not None else None
    if question in ("experience", "age"):
        value = entity_value(entities, "years" if question == "experience" else "amount")
        value = value if value is not None else entity_value(entities, "amount")
        return str(int(value)) if value is not None else None
    if question == "chinese":
        level = entity_value(entities, "hsk_level")
        return str(level) if level is not None else None
    if question == "degree":
        degree = entity_value(entities, "degree")
        return str(degree) if degree is not None else None
    return None


def date_answer(entities: tuple[Mapping[str, Any], ...]) -> str | None:
    value = entity_value(entities, "date")
    return str(value) if value else None


def profile_from_answers(points: Mapping[str, str]) -> Profile:
    """The calculator's answers as a points profile."""
    chinese = points.get("chinese", "0")
    return Profile(
        annual_salary_rmb=float(points.get("salary", 0) or 0),
        degree=Degree(points.get("degree", Degree.NONE.value)),
        experience_years=float(points.get("experience", 0) or 0),
        months_in_china=float(points.get("months", 0) or 0),
        hsk_level=0 if chinese == "degree" else int(chinese or 0),
        chinese_taught_degree=chinese == "degree",
        age=int(points.get("age", 30) or 30),
        extras=points.get("extras") == "yes",
    )
