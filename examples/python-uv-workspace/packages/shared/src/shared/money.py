"""Amounts are whole cents: no float rounding."""


def total_cents(lines: list[dict]) -> int:
    """The total of order lines, each {"quantity": int, "unit_price_cents": int}."""
    total = 0
    for line in lines:
        quantity, price = line["quantity"], line["unit_price_cents"]
        if not isinstance(quantity, int) or not isinstance(price, int) or quantity < 0 or price < 0:
            raise ValueError("quantity and unit_price_cents must be whole numbers, not negative")
        total += quantity * price
    return total


def format_cents(cents: int) -> str:
    return f"${cents // 100}.{cents % 100:02d}"
