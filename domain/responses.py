"""Response keys rendered into text through the gettext catalogs, formatted with Babel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from babel.support import NullTranslations

from domain.conversation import (
    AnswerTopic,
    Button,
    Reply,
    Role,
    ShowChecklist,
    ShowPoints,
    ShowStep,
)
from domain.flows import deadline_for, load_flows
from domain.formatting import date_text, money_text, points_text
from domain.i18n import language_name
from domain.knowledge import Article


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is rendered."""
    return message


@dataclass(frozen=True)
class RenderedButton:
    title: str
    payload: str


@dataclass(frozen=True)
class OutgoingMessage:
    """A message ready for a channel: text in the user's language and its buttons."""

    text: str
    buttons: tuple[RenderedButton, ...] = ()


TEXTS: Mapping[str, str] = {
    "welcome": N_(
        "Welcome to Onestop, the assistant of the one-stop foreigner service center. "
        "I can answer questions about work permits, visas, residence and living in China, "
        "and pass you to an officer when you need a person. What would you like to know?"
    ),
    "greet": N_("Hello! How can I help you today? Ask me a question or pick a topic."),
    "goodbye": N_("Goodbye, and good luck with your stay in China!"),
    "thanks": N_("You're welcome! Is there anything else I can help with?"),
    "capabilities": N_(
        "I can help you with:\n"
        "• the Foreigner's Work Permit: categories, documents, steps, fees and deadlines\n"
        "• visas and the residence permit\n"
        "• living in China: social insurance, hospitals, schools\n"
        "• employers: registering and hiring a foreigner\n"
        "Type your question in your own language, or tap a topic below. "
        "I can also pass you to an officer."
    ),
    "menu": N_("Here are the topics people ask about most. What would you like to know?"),
    "anything_else": N_("All right. What else can I help you with?"),
    "unknown_command": N_("I don't know the command /{command}. Here is what I can do:"),
    "unsupported": N_("Sorry, I can only read text messages. Please type your question in words."),
    "empty": N_("Your message was empty. Please type your question."),
    "too_long": N_("Your message is too long for me. Please ask one question in a few sentences."),
    "language.choose": N_("Which language would you like me to use?"),
    "language.switched": N_("All right, I will answer in English from now on."),
    "miss.not_understood": N_(
        "Sorry, I'm not sure I understood. Did you mean one of these topics?"
    ),
    "miss.offer_officer": N_(
        "I'm sorry I couldn't help with that. Would you like to talk to an officer of the center?"
    ),
    "out_of_scope": N_(
        "I can only help with working and living in China as a foreigner: permits, visas, "
        "residence, and the service center. Here are some topics I know about:"
    ),
    "degraded.search_hits": N_(
        "My language service is having trouble right now. These topics match your words:"
    ),
    "degraded.menu": N_(
        "My language service is having trouble right now, so I couldn't read your question. "
        "Please pick a topic, or ask for an officer."
    ),
    "handoff.confirm": N_(
        "Would you like me to pass this conversation to an officer of the center?"
    ),
    "handoff.suggest": N_(
        "The answer depends on your case. Would you like an officer of the center to look at it?"
    ),
    "handoff.declined": N_("All right, let's continue. What else would you like to know?"),
    "handoff.waiting": N_(
        "I have passed your conversation to an officer of the center. You are number "
        "{position} in the queue; the expected wait is {wait}. Your messages are kept, and the "
        "officer will answer here."
    ),
    "handoff.after_hours": N_(
        "I have passed your conversation to an officer of the center. The center is closed now; "
        "an officer will answer from {opens}. Your messages are kept, and the answer will come "
        "here."
    ),
    "handoff.claimed": N_("An officer of the center has joined the conversation."),
    "handoff.note_prompt": N_("If you like, type a short note for the officer now."),
    "handoff.note_saved": N_("Thank you. The officer will see your note."),
    "handoff.cancelled": N_(
        "All right, I have taken your request off the officers' queue. How else can I help?"
    ),
    "handoff.closed": N_("The officer has closed the conversation. I'm here again if you need me."),
    "rating.ask": N_("How would you rate the help you received, from 1 (poor) to 5 (excellent)?"),
    "rating.comment": N_("Thank you! Would you like to add a comment? Just type it."),
    "rating.thanks": N_("Thank you for your feedback."),
    "button.cancel_handoff": N_("Cancel the request"),
    "canned.greeting": N_("Hello, I am an officer of the service center. How can I help you?"),
    "canned.checking": N_("Thank you for waiting. I am checking your case now."),
    "canned.documents": N_(
        "Please bring your passport and the documents listed above to the service center."
    ),
    "canned.hotline": N_("You can also call the hotline 12333 during office hours."),
    "canned.anything_else": N_("Is there anything else I can help you with?"),
    # --- the web chat page's own words -------------------------------------------------------
    "page.language": N_("Language"),
    "page.send": N_("Send"),
    "page.placeholder": N_("Type your question…"),
    "page.your_message": N_("Your message"),
    "page.officer": N_("Officer"),
    "page.connection_problem": N_(
        "Connection problem. Your message may not have been sent; please try again."
    ),
    "page.reconnecting": N_("Reconnecting…"),
    # --- the guided walk-through --------------------------------------------------------------
    "guide.ask_role": N_("Let's find the steps for you. Who are you?"),
    "guide.button.foreigner": N_("I come to work in China"),
    "guide.button.employer": N_("I hire foreign staff (HR)"),
    "guide.ask_where": N_("Where are you now?"),
    "guide.button.abroad": N_("Abroad, coming to China"),
    "guide.button.in_china": N_("Already in China"),
    "guide.ask_situation": N_("What do you need to do?"),
    "guide.ask_category": N_(
        'Which permit category do you expect? If you are not sure, choose "Not sure" or '
        "calculate your points."
    ),
    "guide.button.category_A": N_("Category A (high-end talent)"),
    "guide.button.category_B": N_("Category B (professional)"),
    "guide.button.category_C": N_("Category C (other)"),
    "guide.button.category_unknown": N_("Not sure"),
    "guide.button.points": N_("Calculate my points"),
    "guide.ask_arrival": N_(
        "When do (or did) you arrive in China? Type the date, for example 3 March 2027."
    ),
    "guide.ask_expiry": N_(
        "When does your work permit expire? Type the date, for example 30 June 2027."
    ),
    "guide.ask_contract_end": N_(
        "When does (or did) the employment contract end? Type the date, for example 31 May 2027."
    ),
    "guide.button.skip": N_("I don't know yet"),
    "guide.bad_date": N_(
        "Sorry, I couldn't read a date in that. Please type it like 3 March 2027, or tap "
        '"I don\'t know yet".'
    ),
    "guide.checklist": N_("Your checklist: {title}"),
    "guide.step_heading": N_("Step {number} of {total}: {title}"),
    "guide.where": N_("Where: {where}"),
    "guide.documents": N_("Documents:"),
    "guide.deadline": N_("Deadline: {date}"),
    "guide.deadline_passed": N_(
        "Deadline: {date}. This date has passed: please contact the service center soon."
    ),
    "guide.window": N_("Apply between {start} and {end}."),
    "guide.deadline_unknown": N_("Deadline: counted from a date you have not given yet."),
    "guide.fee": N_("Fee: {fee}"),
    "guide.tip": N_("Tip: {tip}"),
    "guide.due": N_("due {date}"),
    "guide.button.done": N_("Done ✓"),
    "guide.button.next": N_("Next step"),
    "guide.button.back": N_("Back"),
    "guide.button.progress": N_("My checklist"),
    "guide.button.remind": N_("Remind me of deadlines"),
    "guide.button.stop": N_("Stop the walk-through"),
    "guide.button.resume": N_("Continue the walk-through"),
    "guide.button.start": N_("Guide me step by step"),
    "guide.finished": N_(
        "That was the last step. Well done! Type /progress to see your checklist at any time."
    ),
    "guide.resume": N_("Shall we continue the walk-through?"),
    "guide.welcome_back": N_("Welcome back! Shall we continue the walk-through where you stopped?"),
    "guide.cancelled": N_("All right, I stopped the walk-through. How else can I help?"),
    "guide.none": N_("You have no walk-through in progress. Shall we start one?"),
    "guide.reminders_on": N_("I will remind you here the day before each deadline."),
    "guide.reminders_none": N_(
        "There is no future deadline to remind you of yet: I need your dates first."
    ),
    "guide.reminder": N_('Reminder: "{title}" is due on {date}.'),
    # --- the points calculator -------------------------------------------------------------
    "points.ask_salary": N_(
        "What will your annual salary in China be, before tax? Tap a range or type the amount."
    ),
    "points.salary_range": N_("{low} to {high}"),
    "points.salary_top": N_("{low} or more"),
    "points.salary_below": N_("Less than {high}"),
    "points.ask_degree": N_("What is your highest degree?"),
    "points.degree_doctorate": N_("Doctorate"),
    "points.degree_master": N_("Master's degree"),
    "points.degree_bachelor": N_("Bachelor's degree"),
    "points.degree_none": N_("Other"),
    "points.ask_experience": N_(
        "How many years of relevant work experience do you have? Type a number."
    ),
    "points.ask_months": N_("How many months a year will you work in China?"),
    "points.months_9": N_("9 or more"),
    "points.months_6": N_("6 to 9"),
    "points.months_3": N_("3 to 6"),
    "points.months_0": N_("Less than 3"),
    "points.ask_chinese": N_("What is your level of Chinese?"),
    "points.hsk_level": N_("HSK {level}"),
    "points.hsk_none": N_("None"),
    "points.chinese_degree": N_("Degree taught in Chinese"),
    "points.ask_age": N_("How old are you? Type a number."),
    "points.ask_extras": N_(
        "Does one of these apply to you: a top foreign university, work for a Fortune 500 "
        "company, patents, or 5 years or more working in China?"
    ),
    "points.bad_answer": N_("Sorry, I couldn't read an answer in that."),
    "points.result": N_("Your estimate: {total}. Likely category: {category}."),
    "points.factor.salary": N_("Salary"),
    "points.factor.education": N_("Education"),
    "points.factor.experience": N_("Work experience"),
    "points.factor.months_in_china": N_("Months in China per year"),
    "points.factor.chinese": N_("Chinese level"),
    "points.factor.location": N_("Work location"),
    "points.factor.age": N_("Age"),
    "points.factor.extras": N_("Extras"),
    "points.factor.local_bonus": N_("Local bonus"),
    "points.to_next": N_("You need {points} more for category {category}."),
    "points.raise": N_("What could raise it: {factors}."),
    "points.disclaimer": N_(
        "This is an estimate from the provisional 2017 points table (A: 85 points or more, "
        "B: 60 or more). The authorities decide your category."
    ),
    "button.stale": N_("That button is no longer active. Here is the menu:"),
    "button.human": N_("Talk to an officer"),
    "button.menu": N_("Main menu"),
    "button.yes": N_("Yes"),
    "button.no": N_("No"),
    "answer.footer": N_(
        "Please confirm with the one-stop service center (hotline 12333) or in the online "
        "system, as rules differ by city and change. Last reviewed: {date}."
    ),
}

TOPIC_TITLES: Mapping[str, str] = {
    "faq_work_permit_overview": N_("What the work permit is"),
    "faq_permit_categories": N_("Categories A, B, C and points"),
    "faq_eligibility": N_("Who can get a permit"),
    "faq_required_documents": N_("Documents needed"),
    "faq_application_process": N_("Steps to get the permit"),
    "faq_processing_time": N_("Processing times"),
    "faq_fees": N_("Fees"),
    "faq_online_application": N_("Applying online"),
    "faq_application_status": N_("Application status"),
    "faq_permit_extension": N_("Extending the permit"),
    "faq_permit_change": N_("Changing employer or details"),
    "faq_permit_cancellation": N_("Cancelling the permit"),
    "faq_lost_permit": N_("Lost or damaged permit"),
    "faq_residence_permit": N_("Residence permit"),
    "faq_work_visa": N_("Z work visa"),
    "faq_talent_visa": N_("R talent visa"),
    "faq_accommodation_registration": N_("Registering your address"),
    "faq_health_check": N_("Health check"),
    "faq_document_authentication": N_("Apostille and legalisation"),
    "faq_criminal_record": N_("Criminal record certificate"),
    "faq_in_china_application": N_("Applying from inside China"),
    "faq_family_members": N_("Family members"),
    "faq_permanent_residence": N_("Permanent residence"),
    "faq_qualification_recognition": N_("Recognition of qualifications"),
    "faq_social_insurance": N_("Social insurance"),
    "faq_medical_services": N_("Hospitals and medical insurance"),
    "faq_international_schools": N_("International schools"),
    "faq_service_center": N_("The service center"),
    "faq_illegal_employment": N_("Illegal employment"),
    "employer_registration": N_("Employer registration"),
    "employer_eligibility": N_("Can our company hire a foreigner?"),
    "employer_obligations": N_("Employer obligations"),
}


def _text(key: str, t: NullTranslations, params: Mapping[str, Any]) -> str:
    return t.gettext(TEXTS[key]).format(**params) if params else t.gettext(TEXTS[key])


def _button(button: Button, t: NullTranslations, lang: str = "en") -> RenderedButton:
    params = button.params
    if button.title == "points.salary_range" and params.get("high") is None:
        title = _text("points.salary_top", t, {"low": money_text(params["low"], lang)})
    elif button.title.startswith("points.salary_"):
        money = {k: money_text(v, lang) for k, v in params.items() if v is not None}
        title = _text(button.title, t, money)
    elif button.title == "flow.title":
        title = t.gettext(load_flows()[str(params["flow"])].title)
    elif button.title == "rating.score":
        title = "★" * int(button.params["score"])
    elif button.title == "language.name":
        title = language_name(str(button.params["code"]))
    elif button.title.startswith("topic."):
        title = t.gettext(TOPIC_TITLES[button.title.removeprefix("topic.")])
    else:
        title = _text(button.title, t, button.params)
    return RenderedButton(title=title, payload=button.payload)


def render_reply(reply: Reply, t: NullTranslations, lang: str = "en") -> OutgoingMessage:
    params = {k: v for k, v in reply.params.items() if f"{{{k}}}" in TEXTS[reply.key]}
    return OutgoingMessage(
        text=_text(reply.key, t, params),
        buttons=tuple(_button(b, t, lang) for b in reply.buttons),
    )


def render_answer(
    answer: AnswerTopic, article: Article, role: Role | None, t: NullTranslations, lang: str
) -> list[OutgoingMessage]:
    """The article's parts, the footer on the last one and the buttons under it."""
    parts = [t.gettext(part) for part in article.parts_for(role.value if role else None)]
    footer = _text("answer.footer", t, {"date": date_text(article.reviewed, lang)})
    parts[-1] = f"{parts[-1]}\n\n{footer}"
    messages = [OutgoingMessage(text=part) for part in parts]
    messages[-1] = OutgoingMessage(
        text=messages[-1].text, buttons=tuple(_button(b, t) for b in answer.buttons)
    )
    return messages


def render_step(show: ShowStep, t: NullTranslations, lang: str, today: dt.date) -> OutgoingMessage:
    """One step of the walk-through as a card, with the buttons that move through it."""
    from domain.dialogue import topic_button
    from domain.guide import WALK_BUTTONS

    flow = load_flows()[show.flow]
    steps = flow.steps_for(show.answers)
    index = min(show.index, len(steps) - 1)
    step = steps[index]
    mark = "✓ " if step.id in show.done else ""
    heading = _text(
        "guide.step_heading", t,
        {"number": index + 1, "total": len(steps), "title": mark + t.gettext(step.title)},
    )  # fmt: skip
    lines = [heading, "", t.gettext(step.do)]
    if step.where:
        lines += ["", _text("guide.where", t, {"where": t.gettext(step.where)})]
    if step.documents:
        lines += ["", _text("guide.documents", t, {})]
        lines += [f"• {t.gettext(d)}" for d in step.documents]
    lines += _deadline_lines(step, show.answers, t, lang, today)
    if step.fee:
        lines += [_text("guide.fee", t, {"fee": t.gettext(step.fee)})]
    if step.tips:
        lines += ["", _text("guide.tip", t, {"tip": t.gettext(step.tips)})]
    buttons = tuple(_button(b, t, lang) for b in WALK_BUTTONS)
    buttons += tuple(_button(topic_button(topic), t, lang) for topic in step.topics[:2])
    return OutgoingMessage(text="\n".join(lines).strip(), buttons=buttons)


def _deadline_lines(
    step: Any, answers: Mapping[str, str], t: NullTranslations, lang: str, today: dt.date
) -> list[str]:
    if step.deadline is None:
        return []
    info = deadline_for(step, answers)
    if info is None:
        return ["", _text("guide.deadline_unknown", t, {})]
    if info.opens is not None:
        window = {"start": date_text(info.opens, lang), "end": date_text(info.due, lang)}
        return ["", _text("guide.window", t, window)]
    key = "guide.deadline_passed" if info.due < today else "guide.deadline"
    return ["", _text(key, t, {"date": date_text(info.due, lang, weekday=True)})]


def render_checklist(show: ShowChecklist, t: NullTranslations, lang: str) -> OutgoingMessage:
    """The person's steps, ticked off as they go, with their own deadlines."""
    flow = load_flows()[show.flow]
    lines = [_text("guide.checklist", t, {"title": t.gettext(flow.title)})]
    if flow.intro:
        lines += [t.gettext(flow.intro), ""]
    for number, step in enumerate(flow.steps_for(show.answers), 1):
        mark = "✓" if step.id in show.done else ("▶" if number - 1 == show.current else "○")
        line = f"{mark} {number}. {t.gettext(step.title)}"
        info = deadline_for(step, show.answers)
        if info is not None:
            line += f" ({_text('guide.due', t, {'date': date_text(info.due, lang)})})"
        lines.append(line)
    return OutgoingMessage(text="\n".join(lines))


def render_points(show: ShowPoints, t: NullTranslations, lang: str) -> OutgoingMessage:
    """Points per factor, the total, the likely category and what would raise it."""
    from domain.guide import profile_from_answers
    from domain.points import MAXIMUM, estimate

    result = estimate(profile_from_answers(show.answers))
    lines = [
        _text(
            "points.result", t,
            {"total": points_text(result.total, t), "category": result.category.value},
        ),
        "",
    ]  # fmt: skip
    for factor, value in result.points.items():
        if factor in ("location", "local_bonus") and value == 0:
            continue
        label = t.gettext(TEXTS[f"points.factor.{factor}"])
        lines.append(f"• {label}: {value}/{MAXIMUM[factor]}")
    if result.points_to_next is not None:
        target = "B" if result.category.value == "C" else "A"
        lines += [
            "",
            _text(
                "points.to_next",
                t,
                {"points": points_text(result.points_to_next, t), "category": target},
            ),
        ]
    if result.raises:
        names = [t.gettext(TEXTS[f"points.factor.{f}"]) for f, _ in result.raises[:3]]
        factors = format_list(names, style="or", locale=lang)
        lines.append(_text("points.raise", t, {"factors": factors}))
    lines += ["", _text("points.disclaimer", t, {})]
    return OutgoingMessage(text="\n".join(lines))
