"""Error pages: generic, Dutch, no stack traces."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
