"""The `onestop` command line."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

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
    db.upgrade(settings.async_database_url)
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
