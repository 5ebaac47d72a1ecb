"""The orders API: a health endpoint and an order total, on the standard library."""

import json
from http.server import BaseHTTPRequestHandler

from shared import format_cents, total_cents


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, {"status": "ok"})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path != "/orders/total":
            self._send(404, {"error": "not found"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            order = json.loads(self.rfile.read(length))
            cents = total_cents(order["lines"])
        except (ValueError, KeyError, TypeError) as e:
            self._send(400, {"error": str(e)})
            return
        self._send(200, {"total_cents": cents, "total": format_cents(cents)})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        pass  # no access log
