"""For supervisors: the center's statistics (JSON, CSV, charts) and the review of unanswered
questions. Every route needs an officer session with the role `supervisor`."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from aiohttp import web

from bot import review, statistics
from bot.charts import chart, to_csv
from bot.models import Officer
from bot.web.api import MAX_SQL_INT, read_json
from bot.web.errors import ApiError
from bot.web.keys import SESSIONS
from bot.web.officer_api import current_officer
from domain.office_hours import CHINA
from domain.topics import LANGUAGES, load_catalog

routes = web.RouteTableDef()
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
FIRST_YEAR, LAST_YEAR = 2000, 2999
TABLE_NAME = "{name:[a-z_]+}"


async def current_supervisor(request: web.Request) -> Officer:
    officer = await current_officer(request)
    if officer.role != "supervisor":
        raise ApiError(403, "forbidden", "Only supervisors may see this.")
    return officer


def date_range(request: web.Request) -> tuple[dt.date, dt.date]:
    """`from` and `to` (inclusive, YYYY-MM-DD); by default the last 30 days, China time."""
    today = dt.datetime.now(CHINA).date()
    try:
        end = dt.date.fromisoformat(request.query.get("to", today.isoformat()))
        start = dt.date.fromisoformat(
            request.query.get("from", (end - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat())
        )
    except (ValueError, OverflowError) as error:
        raise ApiError(400, "invalid_date", "Dates are written YYYY-MM-DD.") from error
    if not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):
        raise ApiError(400, "invalid_date", f"Choose dates from {FIRST_YEAR} to {LAST_YEAR}.")
    if start > end:
        raise ApiError(400, "invalid_range", "'from' must not be after 'to'.")
    if (end - start).days >= MAX_DAYS:
        raise ApiError(400, "invalid_range", f"Choose at most {MAX_DAYS} days.")
    return start, end


async def report_for(request: web.Request) -> statistics.Report:
    await current_supervisor(request)
    start, end = date_range(request)
    async with request.app[SESSIONS]() as session:
        return await statistics.gather(session, start, end)


def table_of(report: statistics.Report, name: str) -> statistics.Table:
    try:
        return report.table(name)
    except StopIteration as error:
        raise ApiError(404, "not_found", f"No table called {name!r}.") from error


@routes.get("/api/v1/statistics")
async def get_statistics(request: web.Request) -> web.Response:
    report = await report_for(request)
    return web.json_response(
        {
            "from": report.start.isoformat(),
            "to": report.end.isoformat(),
            "summary": report.summary,
            "tables": [
                {"name": t.name, "title": t.title, "columns": t.columns, "rows": t.rows}
                for t in report.tables
            ],
        }
    )


@routes.get(f"/api/v1/statistics/{TABLE_NAME}.csv")
async def get_csv(request: web.Request) -> web.Response:
    report = await report_for(request)
    table = table_of(report, request.match_info["name"])
    filename = f"{table.name}_{report.start}_{report.end}.csv"
    return web.Response(
        text=to_csv(table),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@routes.get(f"/api/v1/statistics/{TABLE_NAME}.{{fmt:svg|png}}")
async def get_chart(request: web.Request) -> web.Response:
    report = await report_for(request)
    table = table_of(report, request.match_info["name"])
    fmt = request.match_info["fmt"]
    picture = await asyncio.to_thread(chart, table, fmt)
    content_type = "image/svg+xml" if fmt == "svg" else "image/png"
    return web.Response(body=picture, content_type=content_type)


def question_json(question: review.Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "text": question.text,
        "guess": question.guess,
        "confidence": question.confidence,
        "topic": question.topic,
        "created_at": question.created_at.isoformat(),
    }


@routes.get("/api/v1/review")
async def get_review(request: web.Request) -> web.Response:
    await current_supervisor(request)
    status = request.query.get("status", "open")
    if status not in review.STATUSES:
        raise ApiError(400, "invalid_field", f"'status' is one of {', '.join(review.STATUSES)}.")
    language = request.query.get("language") or None
    if language is not None and language not in LANGUAGES:
        raise ApiError(400, "invalid_field", "'language' is not a supported language.")
    async with request.app[SESSIONS]() as session:
        found = await review.questions(session, status, language)
    groups = review.group_similar(found)
    return web.json_response(
        {
            "topics": list(load_catalog().topics),
            "groups": [
                {
                    "language": g.language,
                    "size": len(g.questions),
                    "suggestion": g.suggestion,
                    "questions": [question_json(q) for q in g.questions],
                }
                for g in groups
            ],
        }
    )


@routes.post("/api/v1/review/assign")
async def post_assign(request: web.Request) -> web.Response:
    officer = await current_supervisor(request)
    body = await read_json(request)
    ids = body.get("ids")
    if (
        not isinstance(ids, list)
        or not ids
        or len(ids) > 1000
        or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_SQL_INT for i in ids
        )
    ):
        raise ApiError(400, "invalid_field", "'ids' must be a list of question ids.")
    topic = body.get("topic")
    if topic is not None and (not isinstance(topic, str) or topic not in load_catalog().topics):
        raise ApiError(400, "invalid_field", "'topic' must be a topic id, or null to dismiss.")
    async with request.app[SESSIONS].begin() as session:
        updated = await review.assign(session, ids, topic, officer.id)
    return web.json_response({"updated": updated})
