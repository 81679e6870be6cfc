"""End to end through Telegram: the real PTB application against a local fake Bot API server."""

from __future__ import annotations

import html
import time
from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from domain.i18n import translations_for
from domain.knowledge import load_knowledge
from domain.responses import TEXTS
from tests.conftest import free_port
from tests.fake_telegram import FakeBotApi
from tests.integration.helpers import running_app

pytestmark = pytest.mark.integration

TOKEN = "123456:TEST-token"
SECRET = "s3cret-Token_value"


def text(key: str, lang: str) -> str:
    return translations_for(lang).gettext(TEXTS[key])


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


def telegram_settings(
    database_url: str, rasa_url: str, api: FakeBotApi, **extra: object
) -> Settings:
    return Settings(
        database_url=database_url,
        rasa_url=rasa_url,
        telegram_bot_token=TOKEN,
        telegram_api_url=api.url,
        **extra,
    )


async def test_polling_replies_in_the_right_chat_and_language(
    database_url: str, rasa_url: str, bot_api: FakeBotApi
) -> None:
    settings = telegram_settings(database_url, rasa_url, bot_api)
    async with running_app(settings):
        await bot_api.deliver(bot_api.user_update(5001, text="/start", language_code="zh-hans"))
        await bot_api.deliver(bot_api.user_update(5002, text="hello", language_code="en"))
        await bot_api.deliver(bot_api.user_update(5001, text="你好"))

        chinese = await bot_api.replies_to(5001, 2)
        english = await bot_api.replies_to(5002, 1)

    assert chinese[0]["text"] == text("welcome", "zh")
    assert chinese[1]["text"] == text("greet", "zh")
    assert english[0]["text"] == text("greet", "en")
    assert "inline_keyboard" in chinese[0]["reply_markup"]
    assert "getUpdates" in bot_api.calls


async def test_webhook_checks_the_secret_and_answers_buttons(
    database_url: str, rasa_url: str, bot_api: FakeBotApi
) -> None:
    port = free_port()
    settings = telegram_settings(
        database_url,
        rasa_url,
        bot_api,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
        telegram_webhook_secret=SECRET,
    )
    async with running_app(settings, port=port) as client:
        assert bot_api.webhook_url == settings.telegram_webhook_url
        assert bot_api.webhook_secret == SECRET

        update = bot_api.user_update(6001, callback_data="topic:faq_fees", language_code="de")
        no_secret = await client.post("/telegram/webhook", json=update)
        wrong = await client.post(
            "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
        )
        assert (no_secret.status, wrong.status) == (401, 403)

        assert await bot_api.deliver(update) == 200
        assert await bot_api.deliver(update) == 200  # Telegram retries: answered once
        # Replies of one chat go out in order: once /help is answered, a duplicate would show.
        assert await bot_api.deliver(bot_api.user_update(6001, text="/help")) == 200
        parts = len(load_knowledge()["faq_fees"].parts["anyone"])
        replies = await bot_api.replies_to(6001, parts + 1)

    fees = translations_for("de").gettext(load_knowledge()["faq_fees"].parts["anyone"][0])
    assert replies[0]["text"] == fees
    assert [r["text"] for r in replies[parts:]] == [text("capabilities", "de")]
    assert "answerCallbackQuery" in bot_api.calls


async def test_photos_get_a_clear_answer(
    database_url: str, rasa_url: str, bot_api: FakeBotApi
) -> None:
    settings = telegram_settings(database_url, rasa_url, bot_api)
    async with running_app(settings):
        await bot_api.deliver(bot_api.user_update(7001, photo=True, language_code="es"))
        replies = await bot_api.replies_to(7001, 1)

    assert replies[0]["text"] == text("unsupported", "es")


OFFICERS_CHAT = -100123
OFFICER_TELEGRAM_ID = 990001


async def test_handoff_round_trip_through_the_officers_group(
    database_url: str, rasa_url: str, bot_api: FakeBotApi
) -> None:
    from tests.integration.officers import make_officer

    await make_officer(database_url, "ru", telegram_user_id=OFFICER_TELEGRAM_ID + bot_api.seed)
    officer_id = OFFICER_TELEGRAM_ID + bot_api.seed
    user = 8000 + bot_api.seed % 1000
    settings = telegram_settings(
        database_url,
        rasa_url,
        bot_api,
        telegram_officers_chat_id=OFFICERS_CHAT,
        office_hours="mon-sun 00:00-23:59",
    )
    async with running_app(settings):
        await bot_api.deliver(bot_api.user_update(user, callback_data="human", language_code="ru"))
        await bot_api.deliver(bot_api.user_update(user, callback_data="yes", language_code="ru"))
        announced = await bot_api.replies_to(OFFICERS_CHAT, 1)
        claim = announced[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert claim.startswith("claim:")

        await bot_api.deliver(
            bot_api.user_update(OFFICERS_CHAT, callback_data=claim, from_id=officer_id)
        )
        group = await bot_api.replies_to(OFFICERS_CHAT, 2)
        thread = group[1]["message_id"]
        await bot_api.replies_to(user, 4)  # confirm, queued, note prompt, officer joined

        await bot_api.deliver(bot_api.user_update(user, text="Мне нужна помощь с документами"))
        group = await bot_api.replies_to(OFFICERS_CHAT, 3)
        assert "Мне нужна помощь с документами" in group[2]["text"]

        await bot_api.deliver(
            bot_api.user_update(
                OFFICERS_CHAT, text="Здравствуйте! Чем помочь?", from_id=officer_id, reply_to=thread
            )
        )
        to_user = await bot_api.replies_to(user, 5)
        assert to_user[4]["text"] == "Здравствуйте! Чем помочь?"

        await bot_api.deliver(
            bot_api.user_update(OFFICERS_CHAT, text="/close", from_id=officer_id, reply_to=thread)
        )
        to_user = await bot_api.replies_to(user, 7)
        rating = translations_for("ru").gettext(TEXTS["rating.ask"])
        assert to_user[6]["text"] == rating
        assert len(to_user[6]["reply_markup"]["inline_keyboard"]) == 5

    mine = [m for m in bot_api.sent if int(m["chat_id"]) == user]
    assert [m["text"] for m in mine[:2]] == [
        translations_for("ru").gettext(TEXTS["handoff.confirm"]),
        mine[1]["text"],
    ]
    assert translations_for("ru").gettext(TEXTS["handoff.note_prompt"]) == mine[2]["text"]
    assert translations_for("ru").gettext(TEXTS["handoff.claimed"]) == mine[3]["text"]


async def test_user_text_is_escaped_in_telegram_html(
    database_url: str, rasa_url: str, bot_api: FakeBotApi
) -> None:
    from tests.integration.officers import make_officer

    officer_id = OFFICER_TELEGRAM_ID + bot_api.seed + 1
    await make_officer(database_url, "en", telegram_user_id=officer_id)
    user = 9000 + bot_api.seed % 1000
    settings = telegram_settings(
        database_url, rasa_url, bot_api,
        telegram_officers_chat_id=OFFICERS_CHAT, office_hours="mon-sun 00:00-23:59",
    )  # fmt: skip
    async with running_app(settings):
        await bot_api.deliver(bot_api.user_update(user, callback_data="human"))
        await bot_api.deliver(bot_api.user_update(user, callback_data="yes"))
        announced = await bot_api.replies_to(OFFICERS_CHAT, 1)
        claim = announced[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await bot_api.deliver(
            bot_api.user_update(OFFICERS_CHAT, callback_data=claim, from_id=officer_id)
        )
        group = await bot_api.replies_to(OFFICERS_CHAT, 2)
        await bot_api.replies_to(user, 4)
        await bot_api.deliver(bot_api.user_update(user, text='<a href="http://x">click</a> & <b>'))
        group = await bot_api.replies_to(OFFICERS_CHAT, 3)
        await bot_api.deliver(
            bot_api.user_update(
                OFFICERS_CHAT, text="<i>fine</i> & <script>", from_id=officer_id,
                reply_to=group[1]["message_id"],
            )
        )  # fmt: skip
        to_user = await bot_api.replies_to(user, 5)

    assert "&lt;a href=&quot;http://x&quot;&gt;click&lt;/a&gt; &amp; &lt;b&gt;" in group[2]["text"]
    assert to_user[4]["text"] == "&lt;i&gt;fine&lt;/i&gt; &amp; &lt;script&gt;"
    assert to_user[4]["parse_mode"] == "HTML"


async def test_a_failing_send_is_retried_with_backoff_and_other_chats_go_on(
    database_url: str, rasa_url: str, bot_api: FakeBotApi
) -> None:
    settings = telegram_settings(database_url, rasa_url, bot_api)
    unlucky, lucky = 9101 + bot_api.seed % 1000, 9201 + bot_api.seed % 1000
    bot_api.failures[unlucky] = 2
    async with running_app(settings):
        started = time.monotonic()
        await bot_api.deliver(bot_api.user_update(unlucky, text="/help"))
        await bot_api.deliver(bot_api.user_update(lucky, text="/help"))
        await bot_api.replies_to(lucky, 1, timeout=15)
        lucky_after = time.monotonic() - started
        replies = await bot_api.replies_to(unlucky, 1, timeout=60)
        unlucky_after = time.monotonic() - started

    assert replies[0]["text"] == html.escape(text("capabilities", "en"))  # sent as HTML
    assert bot_api.failures[unlucky] == 0  # both failures happened, then it went through
    assert lucky_after < unlucky_after  # the other chat was not held up
    assert unlucky_after > 2 + 4  # it waited 2 s, then 4 s, before the third try
