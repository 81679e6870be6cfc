"""Officer accounts: argon2 password hashes, languages, roles."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import repository
from bot.models import Officer
from domain.topics import LANGUAGES

HASHER = PasswordHasher()
ROLES = ("officer", "supervisor")
# Checked against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash("not a real password")


class OfficerError(ValueError):
    """A request about officer accounts that cannot be done, with a reason for people."""


def parse_languages(text: str) -> str:
    codes = [code.strip().lower() for code in text.split(",") if code.strip()]
    unknown = [code for code in codes if code not in LANGUAGES]
    if not codes or unknown:
        raise OfficerError(f"languages must be among {', '.join(LANGUAGES)}; got {text!r}")
    return ",".join(dict.fromkeys(codes))


async def add_officer(
    session: AsyncSession,
    username: str,
    password: str,
    languages: str,
    *,
    role: str = "officer",
    telegram_user_id: int | None = None,
) -> Officer:
    if not username or len(username) > 64:
        raise OfficerError("the name must be 1 to 64 characters")
    if len(password) < 10:
        raise OfficerError("the password must have at least 10 characters")
    if role not in ROLES:
        raise OfficerError(f"role must be one of {', '.join(ROLES)}")
    if await repository.find_officer(session, username) is not None:
        raise OfficerError(f"an officer named {username!r} exists already")
    officer = Officer(
        username=username,
        password_hash=HASHER.hash(password),
        languages=parse_languages(languages),
        role=role,
        telegram_user_id=telegram_user_id,
    )
    session.add(officer)
    await session.flush()
    return officer


async def authenticate(session: AsyncSession, username: str, password: str) -> Officer | None:
    """The active officer with this name and password, or None."""
    officer = await repository.find_officer(session, username)
    try:
        HASHER.verify(officer.password_hash if officer else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if officer is None or not officer.active:
        return None
    if HASHER.check_needs_rehash(officer.password_hash):
        officer.password_hash = HASHER.hash(password)
    return officer
