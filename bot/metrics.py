"""Operators' metrics in the Prometheus format (`GET /metrics`): counts and timings, no content.

One `Metrics` per server process, with its own registry; the handoff queue's figures are read
from SQL at each scrape, so every process reports the same queue.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Seconds: the bot's own work is in milliseconds, the NLU call in tens of them.
BOT_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.5)
NLU_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages_in = Counter(
            "onestop_messages_received",
            "Messages received from users, by channel and language.",
            ["channel", "language"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "onestop_messages_sent",
            "Messages stored for users (bot answers and officer replies), by channel and language.",
            ["channel", "language", "sender"],
            registry=self.registry,
        )
        self.nlu_latency = Histogram(
            "onestop_nlu_request_seconds",
            "Calls to the NLU service (cache misses only), successful or not.",
            buckets=NLU_BUCKETS,
            registry=self.registry,
        )
        self.nlu_errors = Counter(
            "onestop_nlu_errors",
            "Calls to the NLU service that failed (timeout, refused, bad answer).",
            registry=self.registry,
        )
        self.bot_processing = Histogram(
            "onestop_bot_processing_seconds",
            "The bot's own time to handle one user message, without the NLU call.",
            buckets=BOT_BUCKETS,
            registry=self.registry,
        )
        self.reminders_sent = Counter(
            "onestop_reminders_sent", "Deadline reminders sent.", registry=self.registry
        )
        self.queue_length = Gauge(
            "onestop_handoff_queue_length",
            "Conversations waiting for an officer.",
            registry=self.registry,
        )
        self.oldest_waiting = Gauge(
            "onestop_handoff_oldest_waiting_seconds",
            "How long the longest-waiting conversation has waited for an officer (0 if none).",
            registry=self.registry,
        )

    def observe_nlu(self, seconds: float, ok: bool) -> None:
        self.nlu_latency.observe(seconds)
        if not ok:
            self.nlu_errors.inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
