"""Serves the API on $PORT (8080 by default) until SIGTERM."""

import os
import signal
import sys
from http.server import ThreadingHTTPServer

from api.app import Handler


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    # python as PID 1 ignores SIGTERM unless it handles it: docker stop
    # would wait, then kill
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on :{port}", flush=True)
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main()
