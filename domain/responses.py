"""Response keys rendered into text through the gettext catalogs, formatted with Babel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from babel.support import NullTranslations

from domain.conversation import AnswerTopic, Button, Reply, Role
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

Translator = Callable[[str], str]


def _text(key: str, t: NullTranslations, params: Mapping[str, Any]) -> str:
    return t.gettext(TEXTS[key]).format(**params) if params else t.gettext(TEXTS[key])


def _button(button: Button, t: NullTranslations) -> RenderedButton:
    if button.title == "rating.score":
        title = "★" * int(button.params["score"])
    elif button.title == "language.name":
        title = language_name(str(button.params["code"]))
    elif button.title.startswith("topic."):
        title = t.gettext(TOPIC_TITLES[button.title.removeprefix("topic.")])
    else:
        title = _text(button.title, t, button.params)
    return RenderedButton(title=title, payload=button.payload)


def render_reply(reply: Reply, t: NullTranslations) -> OutgoingMessage:
    params = {k: v for k, v in reply.params.items() if f"{{{k}}}" in TEXTS[reply.key]}
    return OutgoingMessage(
        text=_text(reply.key, t, params),
        buttons=tuple(_button(b, t) for b in reply.buttons),
    )


def render_answer(
    answer: AnswerTopic, article: Article, role: Role | None, t: NullTranslations, lang: str
) -> list[OutgoingMessage]:
    """The article's parts, the footer on the last one and the buttons under it."""
    parts = [t.gettext(part) for part in article.parts_for(role.value if role else None)]
    footer = _text("answer.footer", t, {"date": format_date(article.reviewed, "long", locale=lang)})
    parts[-1] = f"{parts[-1]}\n\n{footer}"
    messages = [OutgoingMessage(text=part) for part in parts]
    messages[-1] = OutgoingMessage(
        text=messages[-1].text, buttons=tuple(_button(b, t) for b in answer.buttons)
    )
    return messages
