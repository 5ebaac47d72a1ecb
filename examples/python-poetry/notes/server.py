"""Serves the app with waitress on $PORT (8080 by default)."""

import os

from waitress import serve

from notes.app import app


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    print(f"listening on :{port}", flush=True)
    serve(app, host="0.0.0.0", port=port)
