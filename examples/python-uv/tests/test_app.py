from fastapi.testclient import TestClient

from api.app import app

client = TestClient(app)


def test_health():
    assert client.get("/health").json() == {"status": "ok"}


def test_order_total():
    order = {"lines": [{"sku": "a", "quantity": 2, "unit_price_cents": 250}, {"sku": "b", "quantity": 1, "unit_price_cents": 99}]}
    assert client.post("/orders/total", json=order).json() == {"total_cents": 599}
