"""Load: simulated users against our stack and against a plain Rasa assistant, same NLU service.

    .venv/bin/python -m bench.load [--users 50] [--duration 60] [--warmup 10] [--seed 7]
        [--timeout 30] [--logs test-artifacts/load]

One invocation starts one Rasa NLU service with the trained model (models/nlu.tar.gz) and
measures, one after the other, with the same seed, question mix and concurrency:

- ours: `onestop serve` on a fresh PostgreSQL database. Two users in three use the web chat API
  (POST /api/v1/conversations, then POST .../messages with the bearer token), one in three the
  Telegram webhook (POST /telegram/webhook with the secret header; a message is answered when
  the first sendMessage for its chat reaches the fake Bot API run here, and the user waits for
  all the replies the server stored before sending the next one; python-telegram-bot's rate
  limiter holds the server's Bot API calls to 30 a second, Telegram's own limit).
- the baseline: the same NLU model served as a plain Rasa 3.6 assistant: a rules-only
  dialogue model trained here from bench/baseline/ (one rule per intent -> one canned response),
  the SQL tracker store on its own fresh PostgreSQL database, the REST channel, and the
  `nlu:` endpoint in endpoints.yml, so that it delegates understanding to the same running NLU
  service (Rasa's RasaNLUHttpInterpreter).

Users are closed loops (each waits for the answer before sending again), each with a language
(all ten) and a kind: most ask held-out questions (nlu/tests/heldout), some walk through
`/guide` with the buttons they get back, some ask for a person, confirm with the button, leave a
note and cancel the request. The baseline has no flows or handoff: it gets the same typed texts,
and a button press becomes the `/intent` message a Rasa button would send (/affirm, /deny;
/guide becomes /faq_application_process). Note that our bot caches parses: repeated held-out
texts are not sent to Rasa again, while the baseline parses every message.

Prints for both stacks: messages, throughput, latency p50/p95/p99, errors, peak RSS of the
server process (and with the NLU service), CPU use during the window (of each process and of
the whole machine: on two shared cores, other work skews the figures), then the ratios
ours/baseline next to the targets (printed, not asserted). Ours also: latency per channel, and
the bot's own time per message without the NLU call, from the `onestop_bot_processing_seconds`
histogram of GET /metrics (wall-clock inside the server, so it includes waiting under load;
"n/a" when it is missing). The databases are dropped at the end, also on errors, Ctrl-C or
SIGTERM; the servers' logs are kept under --logs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiohttp
import asyncpg
import yaml

from bench.common import (
    ROOT,
    cpu_seconds,
    free_port,
    machine_busy_seconds,
    percentile,
    rasa_service,
    rss_mb,
    started,
    stop,
    warn_if_exited,
)
from domain import guide, payloads
from domain.topics import LANGUAGES, load_catalog
from nlu.evaluation import load_examples
from nlu.rasa_env import HELDOUT_DIR, rasa_environment, rasa_executable
from tests.fake_telegram import FakeBotApi

BASELINE_DIR = ROOT / "bench" / "baseline"
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
METRIC = "onestop_bot_processing_seconds"
ALONE_MESSAGES = 200
GUIDE_PRESSES = 4
TARGET_P95_RATIO = 0.6
TARGET_THROUGHPUT_RATIO = 1.5
TARGET_BOT_RSS_MB = 200.0
TARGET_BOT_MS = 5.0
T = TypeVar("T")


# --- who the simulated users are and what they say ----------------------------------------


@dataclass(frozen=True)
class Persona:
    number: int
    lang: str
    channel: str  # "web" | "telegram"
    kind: str  # "ask" | "guide" | "handoff"


@dataclass(frozen=True)
class Turn:
    """One thing a user does: type `text`, or press a button picked by `press` from the replies."""

    text: str = ""
    press: str | None = None  # "guide" | "yes" | "cancel_handoff"
    baseline: str = ""  # what the same user sends the plain Rasa assistant

    @property
    def typed(self) -> bool:
        return self.press is None and not self.text.startswith("/")


GUIDE_START = Turn(text="/guide", baseline="/faq_application_process")
GUIDE_STOP = Turn(text="/cancel", baseline="/deny")
CANCEL_REQUEST = Turn(press="cancel_handoff", baseline="/deny")


def press(selector: str) -> Turn:
    return Turn(press=selector, baseline="/deny" if selector == "cancel_handoff" else "/affirm")


@dataclass(frozen=True)
class QuestionBank:
    """The held-out texts per language, and the requests for a person among them."""

    texts: dict[str, list[str]]
    human_requests: dict[str, list[str]]

    @classmethod
    def load(cls) -> QuestionBank:
        texts: dict[str, list[str]] = defaultdict(list)
        human: dict[str, list[str]] = defaultdict(list)
        for lang, intent, text in load_examples(HELDOUT_DIR):
            texts[lang].append(text)
            if intent == "request_human":
                human[lang].append(text)
        return cls(dict(texts), dict(human))


def personas(users: int, seed: int) -> list[Persona]:
    """Mixed languages, two web users in three, 60% askers, 20% walk-throughs, 20% handoffs."""
    rng = random.Random(seed)
    kinds = [("ask", "ask", "ask", "guide", "handoff")[i % 5] for i in range(users)]
    channels = [("web", "web", "telegram")[i % 3] for i in range(users)]
    langs = [LANGUAGES[i % len(LANGUAGES)] for i in range(users)]
    for column in (kinds, channels, langs):
        rng.shuffle(column)
    return [Persona(i, langs[i], channels[i], kinds[i]) for i in range(users)]


def script(persona: Persona, bank: QuestionBank, seed: int) -> Iterator[Turn]:
    """The endless, seeded sequence of turns of one user (the same for both stacks)."""
    rng = random.Random(f"{seed}:{persona.number}")

    def ask() -> Turn:
        text = rng.choice(bank.texts[persona.lang])
        return Turn(text=text, baseline=text)

    while True:
        if persona.kind == "guide":
            yield GUIDE_START
            for _ in range(GUIDE_PRESSES):
                yield press("guide")
            yield GUIDE_STOP
            yield from (ask() for _ in range(3))
        elif persona.kind == "handoff":
            yield from (ask() for _ in range(2))
            request = rng.choice(bank.human_requests[persona.lang])
            yield Turn(text=request, baseline=request)
            yield press("yes")
            yield ask()  # the note for the officer
            yield press("cancel_handoff")
        else:
            yield ask()


# --- what one user sees of its conversation with our bot -----------------------------------


@dataclass
class Conversation:
    """The buttons under the last replies, and whether an officer has been asked for."""

    buttons: tuple[str, ...] = ()
    waiting: bool = False
    noted: bool = False

    def adapt(self, turn: Turn) -> Turn:
        """While waiting for an officer the bot stays quiet (the officer answers), so the user
        writes one note and then cancels the request rather than talk to nobody."""
        if not self.waiting or turn.press == "cancel_handoff" or (turn.typed and not self.noted):
            return turn
        return CANCEL_REQUEST

    def payload_for(self, selector: str, rng: random.Random) -> str:
        """The button a user presses: one of the walk-through's, yes, or cancel; else the menu."""
        if selector == "cancel_handoff" and self.waiting:
            return payloads.CANCEL_HANDOFF
        skip = {guide.PREFIX + "remind", guide.PREFIX + "cancel"}
        options = [
            p
            for p in self.buttons
            if (selector == "guide" and p.startswith(guide.PREFIX) and p not in skip)
            or (selector == "yes" and p == payloads.YES)
        ]
        return rng.choice(options) if options else payloads.MENU

    def after(self, turn: Turn, buttons: tuple[str, ...]) -> None:
        if self.waiting and turn.typed:
            self.noted = True
        if turn.press == "cancel_handoff":
            self.waiting = self.noted = False
        if payloads.CANCEL_HANDOFF in buttons:
            self.waiting, self.noted = True, False
        self.buttons = buttons


@dataclass(frozen=True)
class Say:
    """What goes over the wire: typed text or a button payload."""

    text: str | None = None
    payload: str | None = None


@dataclass(frozen=True)
class Outcome:
    latency_ms: float = 0.0
    buttons: tuple[str, ...] = ()
    error: str | None = None


class Chat(Protocol):
    """One user's connection to a stack."""

    adaptive: bool

    async def open(self) -> None: ...
    async def send(self, say: Say) -> Outcome: ...


class WebChat:
    """Our web chat API: a conversation with a bearer token; replies come in the response."""

    adaptive = True

    def __init__(self, http: aiohttp.ClientSession, persona: Persona) -> None:
        self.http = http
        self.persona = persona
        self.url = ""
        self.headers: dict[str, str] = {}

    async def open(self) -> None:
        headers = {"Accept-Language": self.persona.lang}
        async with self.http.post("/api/v1/conversations", json={}, headers=headers) as response:
            response.raise_for_status()
            created = await response.json()
        self.url = f"/api/v1/conversations/{created['conversation_id']}/messages"
        self.headers = {"Authorization": f"Bearer {created['token']}"}

    async def send(self, say: Say) -> Outcome:
        body = {"payload": say.payload} if say.payload else {"text": say.text}
        started = time.monotonic()
        async with self.http.post(self.url, json=body, headers=self.headers) as response:
            data = await response.json() if response.status == 200 else {}
        latency = (time.monotonic() - started) * 1000
        if response.status != 200:
            return Outcome(latency, error=f"HTTP {response.status}")
        messages = data.get("messages") or []
        if not messages:
            return Outcome(latency, error="no reply")
        buttons = tuple(b["payload"] for m in messages for b in m.get("buttons") or ())
        return Outcome(latency, buttons)


class RecordingBotApi(FakeBotApi):
    """The tests' fake Bot API, with each chat's sent messages queued with their arrival time."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: dict[int, asyncio.Queue[tuple[float, dict[str, Any]]]] = defaultdict(
            asyncio.Queue
        )
        self.delivered: Counter[int] = Counter()

    async def __aenter__(self) -> RecordingBotApi:
        await super().__aenter__()
        return self

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        self.delivered[chat_id] += 1
        self.inbox[chat_id].put_nowait((time.monotonic(), params))
        self._next_message_id += 1
        return {
            "message_id": self._next_message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": params.get("text", ""),
        }


def inline_payloads(params: dict[str, Any]) -> tuple[str, ...]:
    markup = params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = markup.get("inline_keyboard") or []
    return tuple(str(b["callback_data"]) for row in rows for b in row if "callback_data" in b)


class TelegramChat:
    """Our Telegram webhook: the update is acknowledged at once, the replies come via sendMessage.

    A message is done when every reply the server stored for the chat has arrived; the count
    comes from our database once the first reply is there (replies are stored in one
    transaction before any is sent)."""

    adaptive = True

    def __init__(
        self, http: aiohttp.ClientSession, persona: Persona, bot_api: RecordingBotApi,
        secret: str, stored_replies: Callable[[int], Awaitable[int]],
    ) -> None:  # fmt: skip
        self.http = http
        self.persona = persona
        self.bot_api = bot_api
        self.chat_id = 100_000 + persona.number
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        self.stored_replies = stored_replies

    async def open(self) -> None:
        return None

    async def send(self, say: Say) -> Outcome:
        update = self.bot_api.user_update(
            self.chat_id, text=say.text, callback_data=say.payload,
            language_code=self.persona.lang,
        )  # fmt: skip
        inbox = self.bot_api.inbox[self.chat_id]
        started = time.monotonic()
        async with self.http.post("/telegram/webhook", json=update, headers=self.headers) as r:
            await r.read()
        if r.status != 200:
            return Outcome(error=f"HTTP {r.status}")
        arrived, first = await inbox.get()
        latency = (arrived - started) * 1000
        replies = [first]
        expected = await self.stored_replies(self.chat_id)
        while self.bot_api.delivered[self.chat_id] - inbox.qsize() < expected:
            replies.append((await inbox.get())[1])
        while not inbox.empty():
            replies.append(inbox.get_nowait()[1])
        return Outcome(latency, tuple(p for params in replies for p in inline_payloads(params)))


class RestChat:
    """The baseline's REST channel: the replies come in the response."""

    adaptive = False

    def __init__(self, http: aiohttp.ClientSession, persona: Persona) -> None:
        self.http = http
        self.sender = f"user-{persona.number}"

    async def open(self) -> None:
        return None

    async def send(self, say: Say) -> Outcome:
        body = {"sender": self.sender, "message": say.text}
        started = time.monotonic()
        async with self.http.post("/webhooks/rest/webhook", json=body) as response:
            data = await response.json() if response.status == 200 else []
        latency = (time.monotonic() - started) * 1000
        if response.status != 200:
            return Outcome(latency, error=f"HTTP {response.status}")
        return Outcome(latency) if data else Outcome(latency, error="no reply")


# --- running the users and recording what happened -----------------------------------------


@dataclass(frozen=True)
class Sample:
    started: float
    ended: float
    latency_ms: float
    channel: str
    error: str | None


@dataclass(frozen=True)
class Window:
    """The measured interval, after the warm-up."""

    start: float
    end: float

    @classmethod
    def after(cls, warmup: float, duration: float) -> Window:
        start = time.monotonic() + warmup
        return cls(start, start + duration)


async def one_user(
    persona: Persona, chat: Chat, turns: Iterator[Turn], window: Window,
    timeout: float, samples: list[Sample],
) -> None:  # fmt: skip
    """A closed loop: send, wait for the answer, send the next, until the window closes."""
    rng = random.Random(persona.number)
    seen = Conversation()
    if not await open_chat(chat, persona, window, samples):
        return
    for scripted in turns:
        if time.monotonic() >= window.end:
            return
        turn = seen.adapt(scripted) if chat.adaptive else scripted
        if not chat.adaptive:
            say = Say(text=turn.baseline)
        elif turn.press:
            say = Say(payload=seen.payload_for(turn.press, rng))
        else:
            say = Say(text=turn.text)
        started = time.monotonic()
        try:
            outcome = await asyncio.wait_for(chat.send(say), timeout)
        except TimeoutError:
            outcome = Outcome((time.monotonic() - started) * 1000, error="timeout")
        except aiohttp.ClientError as error:
            outcome = Outcome(error=type(error).__name__)
        samples.append(
            Sample(started, time.monotonic(), outcome.latency_ms, persona.channel, outcome.error)
        )
        seen.after(turn, outcome.buttons)
        if outcome.error:
            await asyncio.sleep(0.5)


async def open_chat(chat: Chat, persona: Persona, window: Window, samples: list[Sample]) -> bool:
    """Start the conversation; each failure is an error, retried each second until the end."""
    while time.monotonic() < window.end:
        try:
            await chat.open()
            return True
        except aiohttp.ClientError as error:
            now = time.monotonic()
            samples.append(Sample(now, now, 0.0, persona.channel, f"open: {type(error).__name__}"))
            await asyncio.sleep(1)
    return False


async def cpu_load(pids: dict[str, int], window: Window) -> dict[str, float]:
    """CPU use during the window in % of one core: each process's, and the whole machine's
    (all cores: other work on the machine shows as the difference)."""

    def snapshot() -> dict[str, float]:
        used = {name: cpu_seconds(pid) for name, pid in pids.items()}
        return {**used, "machine": machine_busy_seconds()}

    await asyncio.sleep(max(0.0, window.start - time.monotonic()))
    before = snapshot()
    await asyncio.sleep(max(0.0, window.end - time.monotonic()))
    after, seconds = snapshot(), window.end - window.start
    return {name: (after[name] - before[name]) / seconds * 100 for name in after}


async def sample_memory(pids: dict[str, int], peaks: dict[str, float]) -> None:
    """Peak RSS of each process, sampled twice a second until cancelled."""
    while True:
        for name, pid in pids.items():
            peaks[name] = max(peaks.get(name, 0.0), rss_mb(pid))
        await asyncio.sleep(0.5)


@dataclass
class StackResult:
    name: str
    samples: list[Sample]
    window: Window
    memory: dict[str, float]
    cpu: dict[str, float]
    bot_ms_p50: float | str = "not measured"
    bot_ms_p50_alone: float | str = "not measured"
    database_round_trip_us: float = 0.0

    def measured(self) -> list[Sample]:
        return [s for s in self.samples if self.window.start <= s.started < self.window.end]

    def answered(self, channel: str | None = None) -> list[float]:
        return [
            s.latency_ms
            for s in self.measured()
            if s.error is None and s.ended <= self.window.end and channel in (None, s.channel)
        ]

    def errors(self) -> Counter[str]:
        return Counter(s.error for s in self.measured() if s.error)

    def throughput(self) -> float:
        return len(self.answered()) / (self.window.end - self.window.start)

    def server_cpu_ms_per_message(self) -> float:
        """CPU % of one core during the window, per message answered a second."""
        return self.cpu.get("server", 0.0) * 10 / max(self.throughput(), 1e-9)


async def simulate(
    chats: list[tuple[Persona, Chat]], bank: QuestionBank, args: argparse.Namespace,
    window: Window, pids: dict[str, int],
) -> tuple[list[Sample], dict[str, float], dict[str, float]]:  # fmt: skip
    """All users at once until the window closes; the samples, peak RSS and CPU per process."""
    samples: list[Sample] = []
    memory: dict[str, float] = {}
    sampler = asyncio.create_task(sample_memory(pids, memory))
    cpu = asyncio.create_task(cpu_load({**pids, "load generator": os.getpid()}, window))
    users = [
        one_user(persona, chat, script(persona, bank, args.seed), window, args.timeout, samples)
        for persona, chat in chats
    ]
    try:
        await asyncio.gather(*users)
        return samples, memory, await cpu
    finally:
        sampler.cancel()
        cpu.cancel()


# --- our stack ------------------------------------------------------------------------------


async def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll without blocking the loop: the server asks the fake Bot API (here) on start."""
    deadline = time.monotonic() + 120
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"`onestop serve` exited; see {log}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.5)
    raise SystemExit(f"`onestop serve` did not become healthy; see {log}")


@contextlib.asynccontextmanager
async def our_server(
    database: str, nlu_url: str, bot_api_url: str, secret: str, log: Path
) -> AsyncIterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
        "RASA_URL": nlu_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "RATE_PER_ADDRESS_PER_MINUTE": "1000000000",
        "RATE_PER_CONVERSATION_PER_MINUTE": "1000000000",
        "LOG_LEVEL": "WARNING",
        "TELEGRAM_BOT_TOKEN": "123:bench",
        "TELEGRAM_API_URL": bot_api_url,
        "TELEGRAM_WEBHOOK_URL": f"{base}/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": secret,
    }
    env.pop("TELEGRAM_OFFICERS_CHAT_ID", None)
    process = spawn_onestop(env, log)
    try:
        await wait_until_healthy(f"{base}/healthz", process, log)
        yield base, process
    finally:
        warn_if_exited(await asyncio.to_thread(stop, process), "`onestop serve`", log)


def spawn_onestop(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    onestop = ROOT / ".venv" / "bin" / "onestop"
    with log.open("wb") as output:
        return subprocess.Popen(
            [str(onestop), "serve"], env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )


def outbox_counter(pool: asyncpg.Pool) -> Callable[[int], Awaitable[int]]:
    """How many replies our server has stored for a Telegram chat so far."""

    async def stored_replies(chat_id: int) -> int:
        return int(
            await pool.fetchval(
                "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                " WHERE c.channel = 'telegram' AND c.external_chat_id = $1"
                " AND m.direction = 'out'",
                str(chat_id),
            )
        )

    return stored_replies


async def run_ours(
    args: argparse.Namespace, people: list[Persona], bank: QuestionBank, database: str,
    nlu_url: str, nlu_pid: int, logs: Path,
) -> StackResult:  # fmt: skip
    secret = secrets.token_urlsafe(24)
    async with (
        RecordingBotApi() as bot_api,
        our_server(database, nlu_url, bot_api.url, secret, logs / "ours-server.log") as server,
        asyncpg.create_pool(database=database, min_size=1, max_size=4, **POSTGRES) as pool,
        client(server[0]) as http,
    ):
        process = server[1]
        stored = outbox_counter(pool)
        chats: list[tuple[Persona, Chat]] = [
            (p, WebChat(http, p) if p.channel == "web" else
             TelegramChat(http, p, bot_api, secret, stored))
            for p in people
        ]  # fmt: skip
        window = Window.after(args.warmup, args.duration)
        metrics = asyncio.create_task(scrape_window(http, window))
        try:
            pids = {"server": process.pid, "nlu": nlu_pid}
            samples, memory, cpu = await simulate(chats, bank, args, window, pids)
            before, after = await metrics
            # The same server with one user: the bot's own time without waiting for others.
            alone_before = await scrape(http)
            await one_user_alone(http, bank, ALONE_MESSAGES, args.seed)
            alone_after = await scrape(http)
            round_trip = await database_round_trip_us(pool)
        finally:
            metrics.cancel()
    result = StackResult("ours", samples, window, memory, cpu)
    result.database_round_trip_us = round_trip
    result.bot_ms_p50 = bot_time_p50(before, after)
    result.bot_ms_p50_alone = bot_time_p50(alone_before, alone_after)
    return result


async def database_round_trip_us(pool: asyncpg.Pool, times: int = 500) -> float:
    """A yardstick for this machine: the median `SELECT 1` round trip to PostgreSQL."""
    async with pool.acquire() as connection:
        durations = []
        for _ in range(times):
            started = time.perf_counter()
            await connection.fetchval("SELECT 1")
            durations.append((time.perf_counter() - started) * 1e6)
    return percentile(durations, 50)


async def one_user_alone(
    http: aiohttp.ClientSession, bank: QuestionBank, messages: int, seed: int
) -> None:
    """One web chat user asking held-out questions of all languages, one after the other."""
    rng = random.Random(seed)
    texts = [text for language in sorted(bank.texts) for text in bank.texts[language]]
    async with http.post("/api/v1/conversations", json={}) as response:
        created = await response.json()
    path = f"/api/v1/conversations/{created['conversation_id']}/messages"
    headers = {"Authorization": f"Bearer {created['token']}"}
    for _ in range(messages):
        async with http.post(path, json={"text": rng.choice(texts)}, headers=headers) as reply:
            await reply.read()


@contextlib.asynccontextmanager
async def client(base_url: str) -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(base_url, connector=connector) as http:
        yield http


# --- the bot's own time per message, from its Prometheus histogram -------------------------


async def scrape_window(
    http: aiohttp.ClientSession, window: Window
) -> tuple[str | None, str | None]:
    """GET /metrics when the measured window opens and when it closes."""
    await asyncio.sleep(max(0.0, window.start - time.monotonic()))
    before = await scrape(http)
    await asyncio.sleep(max(0.0, window.end - time.monotonic()))
    return before, await scrape(http)


async def scrape(http: aiohttp.ClientSession) -> str | None:
    try:
        async with http.get("/metrics") as response:
            return await response.text() if response.status == 200 else None
    except aiohttp.ClientError:
        return None


def histogram_buckets(text: str) -> dict[float, float] | None:
    """Cumulative bucket counts of the processing-time histogram, summed over its labels."""
    from prometheus_client.parser import text_string_to_metric_families

    buckets: dict[float, float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        if family.name == METRIC:
            for sample in family.samples:
                if sample.name == f"{METRIC}_bucket":
                    buckets[float(sample.labels["le"])] += sample.value
    return dict(buckets) or None


def bot_time_p50(before: str | None, after: str | None) -> float | str:
    """The median in ms during the window (interpolated inside the bucket where half the
    window's count falls), or why there is none."""
    if before is None or after is None:
        return "GET /metrics did not answer"
    try:
        start, end = histogram_buckets(before), histogram_buckets(after)
    except ImportError:
        return "prometheus_client is not installed"
    if start is None or end is None:
        return f"{METRIC} not found at GET /metrics"
    counts = sorted((le, end[le] - start.get(le, 0.0)) for le in end)
    total = counts[-1][1]
    lower, below = 0.0, 0.0
    for le, cumulative in counts:
        if total > 0 and cumulative >= total / 2:
            if le == float("inf"):
                return lower * 1000
            share = (total / 2 - below) / max(cumulative - below, 1e-9)
            return (lower + (le - lower) * share) * 1000
        lower, below = le, cumulative
    return "no message counted in the window"


# --- the baseline: a plain Rasa assistant ---------------------------------------------------


def check_baseline_domain() -> None:
    """The static baseline domain must cover the catalog, or the mix would not be the same."""
    domain = yaml.safe_load((BASELINE_DIR / "domain.yml").read_text(encoding="utf-8"))
    missing = set(load_catalog().topics) - set(domain["intents"])
    if missing:
        raise SystemExit(f"bench/baseline/domain.yml lacks intents: {', '.join(sorted(missing))}")


def train_baseline(workdir: Path, log: Path) -> Path:
    """The rules-only dialogue model (`rasa train core`, a few seconds after Rasa's start-up)."""
    command = [
        str(rasa_executable()), "train", "core",
        "--domain", str(BASELINE_DIR / "domain.yml"), "--stories", str(BASELINE_DIR / "data"),
        "--config", str(BASELINE_DIR / "config.yml"),
        "--out", str(workdir / "models"), "--fixed-model-name", "baseline",
    ]  # fmt: skip
    with log.open("wb") as output:
        subprocess.run(
            command, check=True, env=rasa_environment(), cwd=workdir,
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return workdir / "models" / "baseline.tar.gz"


def write_endpoints(workdir: Path, database: str, nlu_url: str) -> Path:
    endpoints = {
        "tracker_store": {
            "type": "SQL", "dialect": "postgresql", "url": POSTGRES["host"],
            "port": POSTGRES["port"], "username": POSTGRES["user"], "db": database,
        },
        "nlu": {"url": nlu_url},
    }  # fmt: skip
    path = workdir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


@contextlib.contextmanager
def baseline_server(
    model: Path, endpoints: Path, workdir: Path, log: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [
        str(rasa_executable()), "run", "--enable-api", "--model", str(model),
        "--endpoints", str(endpoints), "--credentials", str(BASELINE_DIR / "credentials.yml"),
        "--port", str(port), "--interface", "127.0.0.1",
    ]  # fmt: skip
    with started(
        command, ready_url=f"http://127.0.0.1:{port}/status", what="the baseline Rasa server",
        log=log, env=rasa_environment(), cwd=workdir,
    ) as process:  # fmt: skip
        yield f"http://127.0.0.1:{port}", process


async def run_baseline(
    args: argparse.Namespace, people: list[Persona], bank: QuestionBank, base: str,
    server_pid: int, nlu_pid: int,
) -> StackResult:  # fmt: skip
    async with client(base) as http:
        chats: list[tuple[Persona, Chat]] = [(p, RestChat(http, p)) for p in people]
        window = Window.after(args.warmup, args.duration)
        pids = {"server": server_pid, "nlu": nlu_pid}
        samples, memory, cpu = await simulate(chats, bank, args, window, pids)
    return StackResult("baseline", samples, window, memory, cpu)


# --- the databases of one run ---------------------------------------------------------------


@contextlib.contextmanager
def fresh_databases(*names: str) -> Iterator[None]:
    """Created for this run and dropped at the end, also when the run fails."""

    async def execute(statements: list[str]) -> None:
        connection = await asyncpg.connect(database="postgres", **POSTGRES)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    try:
        asyncio.run(execute([f'CREATE DATABASE "{name}"' for name in names]))
        yield
    finally:
        asyncio.run(execute([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names]))


# --- the report -----------------------------------------------------------------------------


def ratio(ours: float, baseline: float) -> float:
    return ours / baseline if baseline else float("nan")


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def print_report(ours: StackResult, base: StackResult, people: list[Persona]) -> None:
    def row(label: str, value: Callable[[StackResult], str]) -> None:
        print(f"  {label:<30}{value(ours):>14}{value(base):>14}")

    def ms(q: float) -> Callable[[StackResult], str]:
        return lambda r: f"{percentile(r.answered(), q):.1f}"

    def cpu(key: str) -> Callable[[StackResult], str]:
        return lambda r: f"{r.cpu.get(key, 0):.0f}"

    print(f"\n  {'':<30}{'ours':>14}{'baseline':>14}")
    row("messages answered", lambda r: str(len(r.answered())))
    row("throughput (msg/s)", lambda r: f"{r.throughput():.1f}")
    row("latency p50 (ms)", ms(50))
    row("latency p95 (ms)", ms(95))
    row("latency p99 (ms)", ms(99))
    row("errors", lambda r: str(sum(r.errors().values())))
    row("server RSS, peak (MB)", lambda r: f"{r.memory.get('server', 0):.0f}")
    row("  + NLU service, peak (MB)", lambda r: f"{sum(r.memory.values()):.0f}")
    cpu_rows = {"server": "server", "nlu": "NLU service", "load generator": "load generator"}
    cpu_rows["machine"] = f"whole machine (of {os.cpu_count() or 1}00)"
    for key, label in cpu_rows.items():
        row(f"CPU % {label}", cpu(key))
    row(
        "server CPU ms per message",
        lambda r: f"{r.server_cpu_ms_per_message():.1f}",
    )
    for result in (ours, base):
        for reason, count in result.errors().most_common():
            print(f"  {result.name} errors: {count} x {reason}")
    for channel in ("web", "telegram"):
        values = ours.answered(channel)
        users = sum(p.channel == channel for p in people)
        print(
            f"  ours via {channel} ({users} users): {len(values)} messages, "
            f"p50 {percentile(values, 50):.1f} ms, p95 {percentile(values, 95):.1f} ms"
        )
    print_targets(ours, base)


def print_targets(ours: StackResult, base: StackResult) -> None:
    p95 = ratio(percentile(ours.answered(), 95), percentile(base.answered(), 95))
    throughput = ratio(ours.throughput(), base.throughput())
    errors = sum(ours.errors().values())
    bot_rss = ours.memory.get("server", 0.0)
    print("\n  targets (printed, not asserted)")
    print(f"  p95 ours/baseline               {p95:6.2f}  (<= {TARGET_P95_RATIO})  "
          f"{verdict(p95 <= TARGET_P95_RATIO)}")  # fmt: skip
    print(f"  throughput ours/baseline        {throughput:6.2f}  (>= {TARGET_THROUGHPUT_RATIO})  "
          f"{verdict(throughput >= TARGET_THROUGHPUT_RATIO)}")  # fmt: skip
    print(f"  errors (ours)                   {errors:6d}  (0)  {verdict(errors == 0)}")
    print(f"  bot process RSS, no NLU (MB)    {bot_rss:6.0f}  (< {TARGET_BOT_RSS_MB:.0f})  "
          f"{verdict(bot_rss < TARGET_BOT_RSS_MB)}")  # fmt: skip
    for label, value in (
        ("bot time/message p50, no NLU, one user ", ours.bot_ms_p50_alone),
        ("bot time/message p50, no NLU, all users", ours.bot_ms_p50),
    ):
        if isinstance(value, str):
            print(f"  {label}       n/a  (<= {TARGET_BOT_MS} ms)  ({value})")
        else:
            print(f"  {label}  {value:6.2f} ms  (<= {TARGET_BOT_MS} ms)  "
                  f"{verdict(value <= TARGET_BOT_MS)}")  # fmt: skip
    # With all users the server runs flat out and wall-clock time inside it is mostly waiting
    # for the CPU that the other users' messages hold; its CPU per message is the work itself
    # (everything the server does for a message: HTTP, the step, Telegram sends).
    cpu_ms = ours.server_cpu_ms_per_message()
    print(f"  {'server CPU/message, all users':<40}  {cpu_ms:6.2f} ms  (<= {TARGET_BOT_MS} ms)  "
          f"{verdict(cpu_ms <= TARGET_BOT_MS)}  (the server at "
          f"{ours.cpu.get('server', 0.0):.0f} % of a core)")  # fmt: skip
    print(f"  (this machine's PostgreSQL round trip, SELECT 1: {ours.database_round_trip_us:.0f} us"
          f"; a plain question makes 6 of them, BEGIN and COMMIT included)")  # fmt: skip


def describe(people: list[Persona], args: argparse.Namespace) -> str:
    channels = Counter(p.channel for p in people)
    kinds = Counter(p.kind for p in people)
    return (
        f"{len(people)} users ({channels['web']} web chat, {channels['telegram']} Telegram; "
        f"{kinds['ask']} asking, {kinds['guide']} in walk-throughs, {kinds['handoff']} handed "
        f"off; {len({p.lang for p in people})} languages), {args.duration:g} s measured after "
        f"{args.warmup:g} s warm-up, seed {args.seed}"
    )


# --- wiring ----------------------------------------------------------------------------------


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, where SIGTERM cancels the work as Ctrl-C does, so every `finally` runs."""

    async def cancellable() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await main
        finally:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, signal.default_int_handler)

    return asyncio.run(cancellable())


def measure(
    args: argparse.Namespace, people: list[Persona], bank: QuestionBank
) -> tuple[StackResult, StackResult]:
    """Both stacks one after the other, on fresh databases, with one shared NLU service."""
    run_id = secrets.token_hex(4)
    ours_db, base_db = f"onestop_load_{run_id}", f"onestop_load_{run_id}_baseline"
    with (
        tempfile.TemporaryDirectory(prefix="onestop-load-") as tmp,
        fresh_databases(ours_db, base_db),
    ):
        workdir = Path(tmp)
        model = train_baseline(workdir, args.logs / "baseline-train.log")
        nlu_port = free_port()
        nlu_url = f"http://127.0.0.1:{nlu_port}"
        with rasa_service(nlu_port, args.logs / "nlu-service.log") as nlu:
            print("  running ours…", flush=True)
            ours = run(run_ours(args, people, bank, ours_db, nlu_url, nlu.pid, args.logs))
            endpoints = write_endpoints(workdir, base_db, nlu_url)
            shutil.copy(endpoints, args.logs / "baseline-endpoints.yml")
            print("  running the baseline…", flush=True)
            log = args.logs / "baseline-server.log"
            with baseline_server(model, endpoints, workdir, log) as (base_url, server):
                base = run(run_baseline(args, people, bank, base_url, server.pid, nlu.pid))
    return ours, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds not counted")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per answer")
    parser.add_argument("--logs", type=Path, default=ROOT / "test-artifacts" / "load")
    args = parser.parse_args()
    # Outside the event loop too, SIGTERM stops the run like Ctrl-C: every `finally` runs.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    check_baseline_domain()
    args.logs.mkdir(parents=True, exist_ok=True)
    bank = QuestionBank.load()
    people = personas(args.users, args.seed)
    print(f"Load: {describe(people, args)}", flush=True)
    try:
        ours, base = measure(args, people, bank)
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise SystemExit(
            "interrupted: the servers were stopped and the databases dropped"
        ) from None
    print_report(ours, base, people)
    print(f"  logs: {args.logs}")


if __name__ == "__main__":
    main()
