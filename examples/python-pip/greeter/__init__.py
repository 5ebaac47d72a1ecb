"""Greets by name. markupsafe escapes the name with its C speedups, which
the build compiles from source on the full image (PIP_NO_BINARY)."""

import os
import sys

from flask import Flask
import markupsafe
from markupsafe import escape

app = Flask(__name__)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/greet/<name>")
def greet(name: str) -> str:
    return f"<p>Hello, {escape(name)}!</p>"


def native() -> bool:
    """Whether markupsafe runs its compiled extension."""
    return markupsafe._escape_inner.__module__ == "markupsafe._speedups"


print(f"listening on :{os.environ.get('PORT', '8080')}", file=sys.stderr, flush=True)
