"""Onestop's dialogue logic, knowledge base and flows: pure code, no I/O."""
