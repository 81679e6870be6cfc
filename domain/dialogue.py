"""The dialogue: a pure function from (state, event) to (new state, effects).

Rasa says what a message means; this module decides what to do about it. It performs no I/O:
the edge stores the new state and carries out the effects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain import guide, payloads
from domain.conversation import (
    AddTicketNote,
    AnswerTopic,
    Awaiting,
    Button,
    ButtonPressed,
    CancelHandoff,
    CancelReminders,
    CommandIssued,
    DialogueState,
    Effect,
    Event,
    Mode,
    OpenHandoff,
    RecordComment,
    RecordMiss,
    RecordRating,
    Reply,
    Role,
    ScheduleReminders,
    ShowChecklist,
    ShowPoints,
    ShowStep,
    Step,
    Understanding,
    UnsupportedContent,
    UserText,
)
from domain.flows import load_flows
from domain.guide_state import Guide
from domain.knowledge import Article
from domain.topics import LANGUAGES

MISSES_BEFORE_OFFICER = 2
MENU_TOPICS = {
    None: (
        "faq_application_process",
        "faq_permit_categories",
        "faq_required_documents",
        "faq_residence_permit",
        "faq_service_center",
    ),
    Role.FOREIGNER: (
        "faq_application_process",
        "faq_permit_categories",
        "faq_required_documents",
        "faq_residence_permit",
        "faq_service_center",
    ),
    Role.EMPLOYER: (
        "employer_registration",
        "employer_eligibility",
        "employer_obligations",
        "faq_required_documents",
        "faq_service_center",
    ),
}


@dataclass(frozen=True)
class Policy:
    """What the dialogue needs to know about the world, passed in so it stays pure."""

    knowledge: Mapping[str, Article]
    threshold: float = 0.5


def topic_button(topic_id: str) -> Button:
    return Button(title=f"topic.{topic_id}", payload=payloads.topic(topic_id))


HUMAN_BUTTON = Button(title="button.human", payload=payloads.HUMAN)
MENU_BUTTON = Button(title="button.menu", payload=payloads.MENU)
YES_NO = (Button(title="button.yes", payload=payloads.YES), Button("button.no", payloads.NO))


def menu_buttons(state: DialogueState, policy: Policy) -> tuple[Button, ...]:
    return tuple(topic_button(t) for t in MENU_TOPICS[state.role] if t in policy.knowledge) + (
        HUMAN_BUTTON,
    )


def language_buttons() -> tuple[Button, ...]:
    return tuple(
        Button(title="language.name", payload=payloads.language(code), params={"code": code})
        for code in LANGUAGES
    )


def step(state: DialogueState, event: Event, policy: Policy) -> Step:
    """React to one event."""
    if state.mode is Mode.WAITING_FOR_OFFICER and event == ButtonPressed(payloads.CANCEL_HANDOFF):
        new = state.evolve(mode=Mode.BOT, awaiting=Awaiting.NOTHING, misses=0)
        return Step(
            new, (CancelHandoff(), Reply("handoff.cancelled", buttons=menu_buttons(new, policy)))
        )
    if (
        state.mode is Mode.WAITING_FOR_OFFICER
        and state.awaiting is Awaiting.HANDOFF_NOTE
        and isinstance(event, UserText)
    ):
        # The first words typed while waiting become the ticket's note for the officer.
        noted = state.evolve(awaiting=Awaiting.NOTHING)
        return Step(noted, (AddTicketNote(event.text[:1000]), Reply("handoff.note_saved")))
    if state.mode is not Mode.BOT and not _is_control(event):
        # An officer has (or is about to take) the conversation: the bot keeps quiet, and the
        # edge relays the message to the officer.
        return Step(state, ())
    if state.awaiting is Awaiting.RATING_COMMENT and isinstance(event, UserText):
        return Step(_reset(state), (RecordComment(event.text[:2000]), Reply("rating.thanks")))
    match event:
        case CommandIssued():
            return _command(state, event, policy)
        case ButtonPressed():
            return _button(state, event.payload, policy)
        case UnsupportedContent():
            key = event.kind if event.kind in ("empty", "too_long") else "unsupported"
            return Step(state, (Reply(key),))
        case UserText():
            return _text(state, event, policy)


def _is_control(event: Event) -> bool:
    return isinstance(event, CommandIssued) and event.name == "language"


def _command(state: DialogueState, event: CommandIssued, policy: Policy) -> Step:
    match event.name:
        case "start":
            welcome = Reply("welcome", buttons=menu_buttons(state, policy))
            return Step(
                state.evolve(awaiting=Awaiting.NOTHING, misses=0),
                (welcome, *_resume_offer(state)),
            )
        case "help":
            return Step(state, (Reply("capabilities", buttons=menu_buttons(state, policy)),))
        case "language":
            code = event.argument.strip().lower()
            if code in LANGUAGES:
                return _switch_language(state, code, policy)
            return Step(state, (Reply("language.choose", buttons=language_buttons()),))
        case "menu":
            return Step(state, (Reply("menu", buttons=menu_buttons(state, policy)),))
        case "guide":
            return start_guide(state, policy)
        case "points":
            return _points_button(state, "start", policy)
        case "progress":
            return _guide_button(state, "progress", policy)
        case "cancel":
            return _guide_button(state, "cancel", policy)
    return Step(state, (Reply("unknown_command", {"command": event.name}),))


def _resume_offer(state: DialogueState) -> tuple[Effect, ...]:
    """A person who comes back is offered to continue where they stopped."""
    if state.guide.flow is None or not (state.guide.walking or state.guide.question):
        return ()
    return (Reply("guide.welcome_back", buttons=guide.RESUME_BUTTONS),)


def _switch_language(state: DialogueState, code: str, policy: Policy) -> Step:
    new = state.evolve(lang=code, lang_chosen=True)
    return Step(new, (Reply("language.switched", buttons=menu_buttons(new, policy)),))


def _button(state: DialogueState, payload: str, policy: Policy) -> Step:
    if payload.startswith(guide.PREFIX):
        return _guide_button(state, payload.removeprefix(guide.PREFIX), policy)
    if payload.startswith(guide.POINTS_PREFIX):
        return _points_button(state, payload.removeprefix(guide.POINTS_PREFIX), policy)
    if payload.startswith(payloads.TOPIC_PREFIX):
        topic = payload.removeprefix(payloads.TOPIC_PREFIX)
        if topic in policy.knowledge:
            return _answer(state, topic, policy)
    elif payload.startswith(payloads.LANGUAGE_PREFIX):
        code = payload.removeprefix(payloads.LANGUAGE_PREFIX)
        if code in LANGUAGES:
            return _switch_language(state, code, policy)
    elif payload.startswith(payloads.ROLE_PREFIX):
        role = payload.removeprefix(payloads.ROLE_PREFIX)
        if role in Role.__members__.values():
            new = state.evolve(role=Role(role))
            return Step(new, (Reply("menu", buttons=menu_buttons(new, policy)),))
    elif payload.startswith(payloads.RATE_PREFIX) and state.awaiting is Awaiting.RATING:
        score = payload.removeprefix(payloads.RATE_PREFIX)
        if score in ("1", "2", "3", "4", "5"):
            return Step(
                state.evolve(awaiting=Awaiting.RATING_COMMENT),
                (RecordRating(int(score)), Reply("rating.comment", buttons=(MENU_BUTTON,))),
            )
    elif payload == payloads.HUMAN:
        return _offer_officer(state, topic=state.last_topic)
    elif payload == payloads.MENU:
        return Step(state, (Reply("menu", buttons=menu_buttons(state, policy)),))
    elif payload == payloads.YES:
        return _affirm(state, policy)
    elif payload == payloads.NO:
        return _deny(state, policy)
    return Step(state, (Reply("button.stale", buttons=menu_buttons(state, policy)),))


def _text(state: DialogueState, event: UserText, policy: Policy) -> Step:
    guided = _guide_text(state, event, policy)
    if guided is not None:
        return guided
    understanding = event.understanding
    if understanding is None:
        return _without_nlu(state, event, policy)
    intent = understanding.intent
    if intent is None or understanding.confidence < policy.threshold:
        return _miss(state, understanding, "low_confidence", policy)
    match intent:
        case "greet":
            greeting = Reply("greet", buttons=menu_buttons(state, policy))
            return Step(_reset(state), (greeting, *_resume_offer(state)))
        case "goodbye":
            return Step(_reset(state), (Reply("goodbye"),))
        case "thanks":
            return Step(_reset(state), (Reply("thanks"),))
        case "affirm":
            return _affirm(state, policy)
        case "deny":
            return _deny(state, policy)
        case "bot_capabilities":
            return Step(
                _reset(state), (Reply("capabilities", buttons=menu_buttons(state, policy)),)
            )
        case "request_human":
            return _offer_officer(state, topic=state.last_topic)
        case "change_language":
            return _change_language(state, understanding, policy)
        case "out_of_scope":
            return _miss(state, understanding, "out_of_scope", policy)
    if intent in policy.knowledge:
        return _answer(state, intent, policy)
    return _miss(state, understanding, "no_answer", policy)


def _reset(state: DialogueState) -> DialogueState:
    return state.evolve(misses=0, awaiting=Awaiting.NOTHING)


def _answer(state: DialogueState, topic: str, policy: Policy) -> Step:
    article = policy.knowledge[topic]
    buttons = tuple(topic_button(t) for t in article.related if t in policy.knowledge)
    if topic == "faq_application_process":
        buttons = (guide.button("guide.button.start", "start"), *buttons)
    elif topic == "faq_permit_categories":
        buttons = (Button("guide.button.points", guide.POINTS_PREFIX + "start"), *buttons)
    effects: list[Effect] = [AnswerTopic(topic, buttons + (HUMAN_BUTTON,))]
    new = _reset(state).evolve(last_topic=topic)
    if article.needs_officer:
        effects.append(Reply("handoff.suggest", buttons=YES_NO))
        new = new.evolve(awaiting=Awaiting.HANDOFF_CONFIRMATION)
    return Step(new, tuple(effects))


def _closest_topics(understanding: Understanding, policy: Policy) -> tuple[Button, ...]:
    close = [name for name, _ in understanding.ranking if name in policy.knowledge][:3]
    return tuple(topic_button(t) for t in close)


def _miss(state: DialogueState, understanding: Understanding, reason: str, policy: Policy) -> Step:
    misses = state.misses + 1
    record = RecordMiss(reason, understanding.intent, understanding.confidence)
    if misses >= MISSES_BEFORE_OFFICER:
        return Step(
            state.evolve(misses=misses, awaiting=Awaiting.HANDOFF_CONFIRMATION),
            (record, Reply("miss.offer_officer", buttons=YES_NO)),
        )
    key = "out_of_scope" if reason == "out_of_scope" else "miss.not_understood"
    buttons = _closest_topics(understanding, policy) if reason != "out_of_scope" else ()
    return Step(
        state.evolve(misses=misses, awaiting=Awaiting.NOTHING),
        (record, Reply(key, buttons=buttons + menu_buttons(state, policy)[len(buttons) :])),
    )


def _without_nlu(state: DialogueState, event: UserText, policy: Policy) -> Step:
    """The NLU service is down: offer what a text search of the knowledge base found."""
    hits = tuple(topic_button(t) for t in event.search_hits if t in policy.knowledge)
    if hits:
        return Step(state, (Reply("degraded.search_hits", buttons=hits + (HUMAN_BUTTON,)),))
    return Step(state, (Reply("degraded.menu", buttons=menu_buttons(state, policy)),))


def _offer_officer(state: DialogueState, topic: str | None) -> Step:
    return Step(
        state.evolve(awaiting=Awaiting.HANDOFF_CONFIRMATION),
        (Reply("handoff.confirm", buttons=YES_NO),),
    )


def _affirm(state: DialogueState, policy: Policy) -> Step:
    if state.awaiting is Awaiting.HANDOFF_CONFIRMATION:
        new = state.evolve(mode=Mode.WAITING_FOR_OFFICER, awaiting=Awaiting.HANDOFF_NOTE, misses=0)
        return Step(new, (OpenHandoff(state.last_topic), Reply("handoff.note_prompt")))
    return Step(state, (Reply("anything_else", buttons=menu_buttons(state, policy)),))


def _deny(state: DialogueState, policy: Policy) -> Step:
    if state.awaiting is Awaiting.HANDOFF_CONFIRMATION:
        return Step(
            _reset(state), (Reply("handoff.declined", buttons=menu_buttons(state, policy)),)
        )
    return Step(_reset(state), (Reply("anything_else", buttons=menu_buttons(state, policy)),))


def _change_language(state: DialogueState, understanding: Understanding, policy: Policy) -> Step:
    wanted = next(
        (str(e["value"]) for e in understanding.entities if e.get("entity") == "language"), None
    )
    if wanted in LANGUAGES and wanted is not None:
        return _switch_language(state, wanted, policy)
    return Step(state, (Reply("language.choose", buttons=language_buttons()),))


# --- transitions an officer causes (the edge calls these; they stay pure) -----------------


def officer_claimed(state: DialogueState) -> Step:
    """An officer took the ticket: from now on the bot keeps quiet."""
    claimed = state.evolve(mode=Mode.WITH_OFFICER, awaiting=Awaiting.NOTHING)
    return Step(claimed, (Reply("handoff.claimed"),))


RATING_BUTTONS = tuple(
    Button(title="rating.score", payload=f"{payloads.RATE_PREFIX}{n}", params={"score": n})
    for n in range(1, 6)
)


def officer_closed(state: DialogueState) -> Step:
    """The officer closed the ticket: the bot takes the conversation back and asks for a rating."""
    new = state.evolve(mode=Mode.BOT, awaiting=Awaiting.RATING, misses=0)
    return Step(new, (Reply("handoff.closed"), Reply("rating.ask", buttons=RATING_BUTTONS)))


CANCEL_BUTTON = Button(title="button.cancel_handoff", payload=payloads.CANCEL_HANDOFF)


# --- the guided walk-through and the points calculator --------------------------------------


def start_guide(state: DialogueState, policy: Policy) -> Step:
    """Begin (or begin again) a walk-through: ask what changes the path."""
    fresh = Guide(flow=guide.flow_for_role(state.role), reminders=state.guide.reminders)
    return _continue_guide(state.evolve(guide=fresh, awaiting=Awaiting.NOTHING), policy)


def _continue_guide(state: DialogueState, policy: Policy) -> Step:
    """Ask the next open question, or start walking the checklist."""
    current = state.guide
    question = guide.next_question(current, state.role)
    if question is not None:
        new = state.evolve(guide=current.evolve(question=question, walking=False))
        return Step(new, guide.ask(question))
    assert current.flow is not None
    walking = current.evolve(question=None, walking=True, step=min(current.step, _last(current)))
    new = state.evolve(guide=walking)
    effects: list[Effect] = [
        ShowChecklist(walking.flow or "", walking.answers, walking.done, walking.step),
        ShowStep(walking.flow or "", walking.step, walking.answers, walking.done),
    ]
    if walking.reminders:
        effects.append(ScheduleReminders(walking.flow or "", walking.answers, walking.done))
    return Step(new, tuple(effects))


def _last(current: Guide) -> int:
    if current.flow is None:
        return 0
    return len(load_flows()[current.flow].steps_for(current.answers)) - 1


def _show_step(state: DialogueState, index: int) -> Step:
    current = state.guide
    assert current.flow is not None
    if index > _last(current):
        finished = current.evolve(walking=False, step=_last(current))
        return Step(state.evolve(guide=finished), (Reply("guide.finished"),))
    index = max(0, index)
    moved = current.evolve(step=index, walking=True, question=None)
    return Step(
        state.evolve(guide=moved),
        (ShowStep(moved.flow or "", index, moved.answers, moved.done),),
    )


def _guide_button(state: DialogueState, action: str, policy: Policy) -> Step:
    current = state.guide
    kind, _, value = action.partition(":")
    if kind == "start":
        return start_guide(state, policy)
    if kind == "restart":
        return start_guide(state.evolve(guide=Guide(reminders=current.reminders)), policy)
    if kind == "role" and value in Role.__members__.values():
        role = Role(value)
        flow = guide.flow_for_role(role)
        return _continue_guide(
            state.evolve(role=role, guide=current.evolve(flow=flow or current.flow)), policy
        )
    if kind == "where":
        if value == "abroad":
            return _continue_guide(state.evolve(guide=current.evolve(flow="from_abroad")), policy)
        new = state.evolve(guide=current.evolve(question="situation"))
        return Step(new, guide.ask("situation"))
    if kind == "flow" and value in load_flows():
        return _continue_guide(state.evolve(guide=current.evolve(flow=value, step=0)), policy)
    if kind == "category" and value in guide.CATEGORIES:
        answers = {**current.answers, "category": value}
        return _continue_guide(state.evolve(guide=current.evolve(answers=answers)), policy)
    if kind == "skip" and current.question in guide.DATE_QUESTIONS:
        answers = {**current.answers, current.question: ""}
        return _continue_guide(state.evolve(guide=current.evolve(answers=answers)), policy)
    if current.flow is None:
        return Step(
            state, (Reply("guide.none", buttons=(guide.button("guide.button.start", "start"),)),)
        )
    if kind == "done":
        steps = load_flows()[current.flow].steps_for(current.answers)
        done = tuple(dict.fromkeys((*current.done, steps[min(current.step, len(steps) - 1)].id)))
        return _show_step(state.evolve(guide=current.evolve(done=done)), current.step + 1)
    if kind == "next":
        return _show_step(state, current.step + 1)
    if kind == "back":
        return _show_step(state, current.step - 1)
    if kind == "progress":
        return Step(
            state,
            (ShowChecklist(current.flow, current.answers, current.done, current.step),),
        )
    if kind == "remind":
        new = state.evolve(guide=current.evolve(reminders=True))
        return Step(new, (ScheduleReminders(current.flow, current.answers, current.done),))
    if kind == "resume":
        if current.question is not None:
            return Step(state, guide.ask(current.question))
        return _show_step(state, current.step)
    if kind == "cancel":
        stopped = Guide(reminders=False, points=current.points)
        return Step(
            state.evolve(guide=stopped),
            (
                CancelReminders(),
                Reply("guide.cancelled", buttons=menu_buttons(state, policy)),
            ),
        )
    return Step(state, (Reply("button.stale", buttons=menu_buttons(state, policy)),))


def _points_button(state: DialogueState, action: str, policy: Policy) -> Step:
    current = state.guide
    kind, _, value = action.partition(":")
    if kind == "start":
        new = state.evolve(guide=current.evolve(points={}, question="points.salary"))
        return Step(new, guide.ask("points.salary"))
    if kind in guide.POINTS_QUESTIONS:
        return _points_answer(state, kind, value, policy)
    return Step(state, (Reply("button.stale", buttons=menu_buttons(state, policy)),))


def _points_answer(state: DialogueState, question: str, value: str, policy: Policy) -> Step:
    current = state.guide
    points = {**current.points, question: value}
    remaining = [q for q in guide.POINTS_QUESTIONS if q not in points]
    if remaining:
        following = f"points.{remaining[0]}"
        new = state.evolve(guide=current.evolve(points=points, question=following))
        return Step(new, guide.ask(following))
    result = ShowPoints(points)
    answers = dict(current.answers)
    if current.flow == "from_abroad" and "category" not in answers:
        # The estimate answers the walk-through's category question.
        from domain.points import estimate

        answers["category"] = estimate(guide.profile_from_answers(points)).category.value
        resumed = state.evolve(guide=current.evolve(points=points, answers=answers, question=None))
        following_step = _continue_guide(resumed, policy)
        return Step(following_step.state, (result, *following_step.effects))
    new = state.evolve(guide=current.evolve(points=points, question=None))
    return Step(new, (result,))


def _guide_text(state: DialogueState, event: UserText, policy: Policy) -> Step | None:
    """A typed message while a walk-through question is open or a walk is under way."""
    current = state.guide
    control = guide.control_word(event.text)
    if control is not None and (current.question or current.walking):
        action = {"cancel": "cancel", "back": "back", "restart": "restart"}[control]
        if action == "back" and not current.walking:
            return Step(state, guide.ask(current.question or "role"))
        return _guide_button(state, action, policy)
    question = current.question
    if question is None:
        return None
    entities = event.understanding.entities if event.understanding else ()
    if question in guide.DATE_QUESTIONS:
        value = guide.date_answer(entities)
        if value is not None:
            answers = {**current.answers, question: value}
            return _continue_guide(state.evolve(guide=current.evolve(answers=answers)), policy)
    elif question.startswith("points."):
        name = question.removeprefix("points.")
        typed = guide.points_answer(name, event.text, entities)
        if typed is not None:
            return _points_answer(state, name, typed, policy)
    understanding = event.understanding
    if (
        understanding is not None
        and understanding.intent is not None
        and understanding.intent in policy.knowledge
        and understanding.confidence >= policy.threshold
    ):
        # A question in the middle of the walk-through: answer it, then offer to go on.
        answered = _answer(state, understanding.intent, policy)
        return Step(
            answered.state, (*answered.effects, Reply("guide.resume", buttons=guide.RESUME_BUTTONS))
        )
    key = "guide.bad_date" if question in guide.DATE_QUESTIONS else "points.bad_answer"
    return Step(state, (Reply(key), *guide.ask(question)))
