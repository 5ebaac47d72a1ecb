import json
import threading
import urllib.request
from http.server import ThreadingHTTPServer

import pytest

from api.app import Handler


@pytest.fixture(scope="module")
def base():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_health(base):
    with urllib.request.urlopen(base + "/health") as r:
        assert json.load(r) == {"status": "ok"}


def test_order_total(base):
    order = {"lines": [{"quantity": 2, "unit_price_cents": 250}, {"quantity": 1, "unit_price_cents": 99}]}
    req = urllib.request.Request(base + "/orders/total", data=json.dumps(order).encode(), method="POST")
    with urllib.request.urlopen(req) as r:
        assert json.load(r) == {"total_cents": 599, "total": "$5.99"}
