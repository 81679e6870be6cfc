"""Real Chromium: a visitor asks for a person, an officer sees it live, claims it and replies."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from tests.conftest import ARTIFACTS, free_port
from tests.integration.helpers import running_app
from tests.integration.officers import PASSWORD, make_officer

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'


async def newest_ticket_id(database_url: str) -> int:
    from sqlalchemy import func, select

    from bot.db import create_engine, session_factory
    from bot.models import HandoffTicket

    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        newest = await session.scalar(select(func.max(HandoffTicket.id)))
    await engine.dispose()
    return int(newest or 0)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        await instance.close()


async def test_officer_takes_over_a_web_chat_live(browser, sqlite_url: str, rasa_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    name = await make_officer(sqlite_url, "en")
    port = free_port()
    settings = Settings(
        database_url=sqlite_url, rasa_url=rasa_url, office_hours="mon-sun 00:00-23:59"
    )
    async with running_app(settings, port=port):
        base = f"http://127.0.0.1:{port}"
        visitor = await browser.new_page(viewport={"width": 390, "height": 780})
        officer = await browser.new_page(viewport={"width": 1280, "height": 800})
        dialogs: list[str] = []
        for page in (visitor, officer):
            page.on("dialog", lambda d: dialogs.append(d.message))

        await officer.goto(f"{base}/officer")
        await officer.get_by_label("Name").fill(name)
        await officer.get_by_label("Password").fill(PASSWORD)
        await officer.get_by_role("button", name="Log in").click()
        await expect(officer.locator("#who")).to_contain_text(name)

        await visitor.goto(f"{base}/")
        await visitor.get_by_label("Your message").fill(f"hello {XSS}")
        await visitor.get_by_role("button", name="Send").click()
        await visitor.get_by_role("button", name="Talk to an officer").last.click()
        await visitor.get_by_role("button", name="Yes").last.click()
        await expect(visitor.locator(".msg.bot", has_text="number 1 in the queue")).to_be_visible()

        newest = await newest_ticket_id(sqlite_url)
        ticket = officer.locator(f'#queue button[data-ticket="{newest}"]')
        await expect(ticket).to_contain_text("waiting", timeout=15_000)  # live, no reload
        await ticket.click()
        await expect(officer.locator("#transcript")).to_contain_text(XSS)
        await officer.get_by_role("button", name="Claim").click()
        await officer.get_by_label("Reply to the user").fill(f"Hello, I can help. {XSS}")
        await officer.get_by_role("button", name="Send", exact=True).click()

        reply = visitor.locator(".msg.officer").last
        await expect(reply).to_contain_text("Hello, I can help.", timeout=15_000)
        await expect(reply).to_contain_text(XSS)
        await visitor.screenshot(path=str(ARTIFACTS / "webchat-visitor.png"), full_page=True)
        await officer.screenshot(path=str(ARTIFACTS / "officer-console.png"), full_page=True)

        assert await visitor.evaluate("window.pwned === undefined")
        assert await officer.evaluate("window.pwned === undefined")
        assert dialogs == []


async def test_arabic_chat_is_right_to_left(browser, sqlite_url: str, rasa_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import expect

    port = free_port()
    async with running_app(Settings(database_url=sqlite_url, rasa_url=rasa_url), port=port):
        page = await browser.new_page(viewport={"width": 390, "height": 780})
        await page.goto(f"http://127.0.0.1:{port}/")
        await page.get_by_label("Your message").fill("مرحبا، كم تكلفة تصريح الإقامة؟")
        await page.get_by_role("button", name="Send").click()
        await expect(page.locator(".msg.bot").first).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        await page.screenshot(path=str(ARTIFACTS / "webchat-arabic.png"), full_page=True)


async def test_a_supervisor_reads_the_statistics_and_reviews_questions(  # type: ignore[no-untyped-def]
    browser, sqlite_url: str, rasa_url: str
) -> None:
    from playwright.async_api import expect

    from bot.db import create_engine, session_factory
    from bot.models import Miss

    marker = f"zzq{free_port()}"
    engine = create_engine(sqlite_url)
    async with session_factory(engine).begin() as session:
        for text in (f"{marker} parking at the office?", f"{marker} parking at the office"):
            session.add(Miss(language="en", text=text, reason="low_confidence"))
        session.add(Miss(language="en", text=f"{marker} {XSS}", reason="low_confidence"))
    await engine.dispose()
    name = await make_officer(sqlite_url, "en", role="supervisor")
    port = free_port()
    async with running_app(Settings(database_url=sqlite_url, rasa_url=rasa_url), port=port):
        base = f"http://127.0.0.1:{port}"
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(f"{base}/officer")
        await page.get_by_label("Name").fill(name)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()

        await page.get_by_role("link", name="Statistics").click()
        await expect(page.get_by_role("heading", name="Per day")).to_be_visible()
        chart = page.get_by_role("img", name="Chart: Per day")
        await chart.scroll_into_view_if_needed()
        await expect(chart).to_have_js_property("complete", True)
        assert await chart.evaluate("img => img.naturalWidth") > 300
        assert await page.get_by_role("link", name="Download By topic as CSV").count() == 1
        await page.screenshot(path=ARTIFACTS / "statistics.png", full_page=True)

        await page.get_by_role("link", name="Unanswered questions").click()
        group = page.locator(".groups > li", has_text=f"{marker} parking").first
        await expect(group).to_contain_text("2 question(s)")
        await group.get_by_label("Topic").select_option("faq_service_center")
        await group.get_by_role("button", name="Assign").click()
        await expect(page.locator("#status")).to_contain_text("2 question(s) assigned")
        await expect(page.locator(".groups", has_text=f"{marker} parking")).to_have_count(0)
        await page.screenshot(path=ARTIFACTS / "review.png", full_page=True)
        assert await page.evaluate("window.pwned") is None and not dialogs
