"""Guided walk-throughs defined as data (`domain/flows/*.yml`): steps, documents, deadlines.

Staff adapt the YAML to local practice; this module reads it, picks the steps that apply to a
person's answers and computes their deadlines from the person's own dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import yaml

FLOWS_DIR = Path(__file__).with_name("flows")
TEXT_FIELDS = ("title", "do", "where", "fee", "tips")


@dataclass(frozen=True)
class Deadline:
    """Either `hours`/`days` after an event, or a window of days before it (the extension)."""

    event: str
    hours: int = 0
    days: int = 0
    window_start_days: int | None = None
    window_end_days: int | None = None

    @property
    def is_window(self) -> bool:
        return self.window_start_days is not None

    def due(self, event_date: dt.date) -> dt.date:
        """The last day (for a window: the last day to apply)."""
        if self.is_window:
            return event_date - dt.timedelta(days=self.window_end_days or 0)
        return event_date + dt.timedelta(days=self.days, hours=self.hours)

    def opens(self, event_date: dt.date) -> dt.date | None:
        if not self.is_window:
            return None
        return event_date - dt.timedelta(days=self.window_start_days or 0)


@dataclass(frozen=True)
class FlowStep:
    id: str
    title: str
    do: str
    where: str = ""
    documents: tuple[str, ...] = ()
    deadline: Deadline | None = None
    fee: str = ""
    tips: str = ""
    topics: tuple[str, ...] = ()
    when: Mapping[str, tuple[str, ...]] | None = None

    def applies(self, answers: Mapping[str, Any]) -> bool:
        if not self.when:
            return True
        return all(
            str(answers.get(key) or "unknown") in allowed for key, allowed in self.when.items()
        )


@dataclass(frozen=True)
class Flow:
    id: str
    audience: str
    title: str
    intro: str
    steps: tuple[FlowStep, ...]
    reviewed: dt.date

    def steps_for(self, answers: Mapping[str, Any]) -> tuple[FlowStep, ...]:
        return tuple(step for step in self.steps if step.applies(answers))

    @property
    def events(self) -> tuple[str, ...]:
        """The dates this flow's deadlines count from (the questions it must ask)."""
        seen = dict.fromkeys(s.deadline.event for s in self.steps if s.deadline)
        return tuple(seen)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""


def _step(raw: Mapping[str, Any]) -> FlowStep:
    deadline = raw.get("deadline")
    when = raw.get("when")
    return FlowStep(
        id=raw["id"],
        title=_text(raw["title"]),
        do=_text(raw["do"]),
        where=_text(raw.get("where")),
        documents=tuple(_text(d) for d in raw.get("documents") or ()),
        deadline=Deadline(
            event=deadline["from"],
            hours=int(deadline.get("hours", 0)),
            days=int(deadline.get("days", 0)),
            window_start_days=deadline.get("window_start_days"),
            window_end_days=deadline.get("window_end_days"),
        )
        if deadline
        else None,
        fee=_text(raw.get("fee")),
        tips=_text(raw.get("tips")),
        topics=tuple(raw.get("topics") or ()),
        when={k: tuple(str(v) for v in vs) for k, vs in when.items()} if when else None,
    )


def _flow(raw: Mapping[str, Any]) -> Flow:
    reviewed = raw["reviewed"]
    return Flow(
        id=raw["flow"],
        audience=raw.get("audience", "anyone"),
        title=_text(raw["title"]),
        intro=_text(raw.get("intro")),
        steps=tuple(_step(s) for s in raw["steps"]),
        reviewed=reviewed if isinstance(reviewed, dt.date) else dt.date.fromisoformat(reviewed),
    )


@cache
def load_flows(directory: Path = FLOWS_DIR) -> Mapping[str, Flow]:
    flows = {}
    for path in sorted(directory.glob("*.yml")):
        flow = _flow(yaml.safe_load(path.read_text(encoding="utf-8")))
        flows[flow.id] = flow
    return flows


def extract_messages(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor: the titles, texts and document names of a flow are message ids."""
    raw = yaml.safe_load(fileobj.read().decode("utf-8"))
    flow = _flow(raw)
    yield 1, "", flow.title, [f"TRANSLATORS: title of the walk-through {flow.id} (a button)"]
    if flow.intro:
        yield 1, "", flow.intro, [f"TRANSLATORS: introduction of the walk-through {flow.id}"]
    for step in flow.steps:
        for name in TEXT_FIELDS:
            value = getattr(step, name)
            if value:
                yield 1, "", value, [f"TRANSLATORS: {name} of step {step.id} in {flow.id}"]
        for document in step.documents:
            yield 1, "", document, ["TRANSLATORS: a document name in a checklist"]


DATE_EVENTS = ("arrival", "expiry", "contract_end", "permit_issued")


def event_dates(answers: Mapping[str, Any]) -> dict[str, dt.date]:
    return {
        event: dt.date.fromisoformat(str(answers[event]))
        for event in DATE_EVENTS
        if answers.get(event)
    }


@dataclass(frozen=True)
class DeadlineInfo:
    """A step's deadline for this person: the due date, and the day a window opens."""

    due: dt.date
    opens: dt.date | None = None


def deadline_for(step: FlowStep, answers: Mapping[str, Any]) -> DeadlineInfo | None:
    if step.deadline is None:
        return None
    event = event_dates(answers).get(step.deadline.event)
    if event is None:
        return None
    return DeadlineInfo(step.deadline.due(event), step.deadline.opens(event))


@dataclass(frozen=True)
class PlannedReminder:
    step_id: str
    due_at: dt.datetime
    deadline: dt.date


CHINA_NOON = dt.time(10, 0)


def reminder_plan(
    flow: Flow, answers: Mapping[str, Any], done: tuple[str, ...], now: dt.datetime
) -> list[PlannedReminder]:
    """One reminder a day before each future deadline (and when an application window opens),
    at 10:00 China time; none for steps already done or deadlines already past."""
    from zoneinfo import ZoneInfo

    china = ZoneInfo("Asia/Shanghai")
    plan = []
    for step in flow.steps_for(answers):
        info = deadline_for(step, answers)
        if info is None or step.id in done:
            continue
        moments = [info.due - dt.timedelta(days=1)]
        if info.opens is not None:
            moments.insert(0, info.opens)
        for day in moments:
            at = dt.datetime.combine(day, CHINA_NOON, tzinfo=china)
            if at > now:
                plan.append(PlannedReminder(step.id, at, info.due))
    return plan
