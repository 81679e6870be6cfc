"""The `onestop` command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.logs import configure_logging
from bot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@click.group()
@click.pass_context
def main(context: click.Context) -> None:
    """Onestop: the multilingual assistant of a one-stop foreigner service center."""
    context.obj = Settings()


@main.command()
@click.option("--host", help="Interface to listen on (default from HOST).")
@click.option("--port", type=int, help="Port (default from PORT).")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None) -> None:
    """Run the bot server: web chat, REST API, Telegram."""
    from aiohttp import web

    from bot import db
    from bot.web.app import create_app

    configure_logging(settings.log_level, settings.log_json)
    db.upgrade_apart(settings.async_database_url)
    web.run_app(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        access_log=None,
        print=lambda text: click.echo(text, err=True),
    )


@main.command()
@click.option("--lang", help="Language to start in (en, zh, ko, ja, ru, fr, de, es, ar, vi).")
@click.pass_obj
def chat(settings: Settings, lang: str | None) -> None:
    """Talk to the assistant in the terminal (same engine, same database)."""
    from bot import db
    from bot.terminal import chat as run_chat

    configure_logging("WARNING", json_lines=False)
    db.upgrade(settings.async_database_url)
    asyncio.run(run_chat(settings, lang))


@main.group()
def nlu() -> None:
    """Train, serve and evaluate the Rasa NLU model."""


@nlu.command("train")
@click.option("--force", is_flag=True, help="Train even when the data is unchanged.")
def nlu_train(force: bool) -> None:
    """Train the model unless its data's fingerprint is unchanged."""
    from nlu.training import train

    configure_logging("INFO", json_lines=False)
    trained = train(force=force)
    click.echo("trained a new model" if trained else "model up to date; not retrained")


@nlu.command("serve")
@click.option("--port", type=int, default=5005, show_default=True)
def nlu_serve(port: int) -> None:
    """Run the Rasa NLU HTTP service (`/model/parse`)."""
    from nlu.rasa_env import rasa_environment
    from nlu.training import serve_command

    sys.exit(subprocess.call(serve_command(port), env=rasa_environment()))


@nlu.command("evaluate")
@click.option("--no-compare", is_flag=True, help="Score only the main pipeline.")
@click.option("--cross-validation", is_flag=True, help="Also run `rasa test nlu` 3-fold CV.")
@click.pass_obj
def nlu_evaluate(settings: Settings, no_compare: bool, cross_validation: bool) -> None:
    """Score the model(s) on the held-out set; print and write nlu/reports/evaluation.md."""
    from nlu.training import evaluate

    configure_logging("INFO", json_lines=False)
    evaluate(
        threshold=settings.nlu_threshold,
        compare=not no_compare,
        cross_validation=cross_validation,
    )


@nlu.command("export-reviewed")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("nlu/reviewed"),
    show_default=True,
    help="Directory for <lang>.yml files.",
)
@click.pass_obj
def nlu_export_reviewed(settings: Settings, out: Path) -> None:
    """Write the questions supervisors assigned to topics as Rasa NLU training data.

    Examples already in nlu/data are left out. Check the files, then move their examples into
    nlu/data/<lang>/<intent>.yml and run `onestop nlu train`.
    """
    from bot import review
    from nlu.rasa_env import DATA_DIR

    assigned = _run_in_session(settings, lambda session: review.questions(session, "assigned"))
    written = review.write_reviewed(assigned, out, review.known_examples(DATA_DIR))
    for language, path in written.items():
        click.echo(f"{language}: {path}")
    click.echo(f"{len(assigned)} reviewed question(s) in {len(written)} file(s)")


@main.group()
def officer() -> None:
    """Officer accounts of the center."""


def _run_in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from bot import db as database

    database.upgrade(settings.async_database_url)

    async def run() -> T:
        engine = database.create_engine(settings.async_database_url)
        try:
            async with database.session_factory(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@officer.command("add")
@click.argument("name")
@click.option("--languages", required=True, help="Comma-separated, e.g. en,zh,ko.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--role", type=click.Choice(["officer", "supervisor"]), default="officer")
@click.option("--telegram-id", type=int, help="The officer's Telegram user id (officers' group).")
@click.pass_obj
def officer_add(
    settings: Settings,
    name: str,
    languages: str,
    password_stdin: bool,
    role: str,
    telegram_id: int | None,
) -> None:
    """Create an officer account."""
    from bot.officers import OfficerError, add_officer

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        _run_in_session(
            settings,
            lambda session: add_officer(
                session, name, password, languages, role=role, telegram_user_id=telegram_id
            ),
        )
    except OfficerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"officer {name} added ({languages}, {role})")


@officer.command("list")
@click.pass_obj
def officer_list(settings: Settings) -> None:
    """List officer accounts."""
    from bot import repository

    async def names(session: AsyncSession) -> list[tuple[str, str, str, str]]:
        return [
            (o.username, o.languages, o.role, "active" if o.active else "disabled")
            for o in await repository.list_officers(session)
        ]

    for row in _run_in_session(settings, names):
        click.echo("\t".join(row))


@officer.command("disable")
@click.argument("name")
@click.pass_obj
def officer_disable(settings: Settings, name: str) -> None:
    """Disable an officer account (their sessions stop working at once)."""
    from bot import repository

    async def disable(session: AsyncSession) -> bool:
        found = await repository.find_officer(session, name)
        if found is None:
            return False
        found.active = False
        return True

    if not _run_in_session(settings, disable):
        raise click.ClickException(f"no officer named {name!r}")
    click.echo(f"officer {name} disabled")


@main.command()
@click.option("--days", type=int, help="Keep this many days (default: RETENTION_DAYS).")
@click.pass_obj
def purge(settings: Settings, days: int | None) -> None:
    """Remove conversations idle longer than the retention period (tickets stay anonymous)."""
    from bot import repository

    keep = days if days is not None else settings.retention_days
    removed = _run_in_session(settings, lambda session: repository.purge_older_than(session, keep))
    click.echo(", ".join(f"{count} {what}" for what, count in removed.items()) + " removed")


@main.command()
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: 30 days ago)."
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write CSV files and charts here.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["svg", "png"]), default="svg", show_default=True
)
@click.pass_obj
def report(
    settings: Settings,
    start: dt.datetime | None,
    end: dt.datetime | None,
    out: Path | None,
    fmt: str,
) -> None:
    """The center's statistics for a date range (China time): tables, CSV and charts."""
    from bot import statistics
    from bot.charts import chart, to_csv
    from domain.office_hours import CHINA

    last = end.date() if end else dt.datetime.now(CHINA).date()
    first = start.date() if start else last - dt.timedelta(days=29)
    if first > last:
        raise click.BadParameter("--from must not be after --to")
    result = _run_in_session(settings, lambda session: statistics.gather(session, first, last))
    click.echo(f"Onestop statistics {first} – {last}\n")
    for name, value in result.summary.items():
        click.echo(f"  {name:<24} {'–' if value is None else value}")
    for table in result.tables:
        click.echo(f"\n{table.title}")
        click.echo(_aligned([table.columns, *table.rows]))
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{table.name}.csv").write_text(to_csv(table), encoding="utf-8")
            if table.chart != "none":
                (out / f"{table.name}.{fmt}").write_bytes(chart(table, fmt))
    if out is not None:
        click.echo(f"\nCSV files and charts written to {out}")


def _aligned(rows: list[tuple[Any, ...]]) -> str:
    cells = [["–" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "\n".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    )


@main.group()
def user() -> None:
    """One person's data: export it (JSON) or erase it."""


def _find_conversation(
    settings: Settings, conversation: str | None, telegram_chat: int | None
) -> str:
    from bot import repository

    if (conversation is None) == (telegram_chat is None):
        raise click.UsageError("give either --conversation or --telegram-chat")

    async def find(session: AsyncSession) -> str | None:
        if conversation is not None:
            found = await repository.get_conversation(session, conversation)
        else:
            found = await repository.conversation_for_chat(session, "telegram", str(telegram_chat))
        return found.id if found else None

    found_id = _run_in_session(settings, find)
    if found_id is None:
        raise click.ClickException("no such conversation")
    return found_id


@user.command("export")
@click.option("--conversation", help="The conversation id (web chat, terminal).")
@click.option("--telegram-chat", type=int, help="The person's Telegram chat id.")
@click.pass_obj
def user_export(settings: Settings, conversation: str | None, telegram_chat: int | None) -> None:
    """Print everything stored about one person's conversation as JSON."""
    from bot import repository

    found = _find_conversation(settings, conversation, telegram_chat)
    data = _run_in_session(settings, lambda session: repository.export_conversation(session, found))
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@user.command("erase")
@click.option("--conversation", help="The conversation id (web chat, terminal).")
@click.option("--telegram-chat", type=int, help="The person's Telegram chat id.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def user_erase(
    settings: Settings, conversation: str | None, telegram_chat: int | None, yes: bool
) -> None:
    """Erase one person's conversation and personal data (tickets stay as anonymous records)."""
    from bot import repository

    found = _find_conversation(settings, conversation, telegram_chat)
    if not yes:
        click.confirm(f"Erase conversation {found} and its personal data?", abort=True)
    _run_in_session(settings, lambda session: repository.erase_conversation(session, found))
    click.echo(f"conversation {found} erased")


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Apply database migrations."""
    from bot import db as database

    database.upgrade(settings.async_database_url)
    click.echo("database is up to date")
