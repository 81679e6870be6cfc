"""Onestop: the channels, the web server, the officer console and the command line."""
