"""The orders API: a health endpoint and an order total."""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="orders")


class Line(BaseModel):
    sku: str
    quantity: int
    unit_price_cents: int


class Order(BaseModel):
    lines: list[Line]


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/orders/total")
def total(order: Order) -> dict[str, int]:
    return {"total_cents": sum(l.quantity * l.unit_price_cents for l in order.lines)}
