"""The aiohttp server: web chat API and page, NLU parse API, Telegram webhook, health."""
