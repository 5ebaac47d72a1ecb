"""Starts the API on $PORT (8080 by default)."""

import os

import uvicorn

from api.app import app


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    print(f"listening on :{port}", flush=True)
    uvicorn.run(app, host="0.0.0.0", port=port, log_level="warning")


if __name__ == "__main__":
    main()
