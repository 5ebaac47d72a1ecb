import pytest

from shared import format_cents, total_cents


def test_total():
    assert total_cents([{"quantity": 2, "unit_price_cents": 250}, {"quantity": 1, "unit_price_cents": 99}]) == 599


def test_negative():
    with pytest.raises(ValueError):
        total_cents([{"quantity": -1, "unit_price_cents": 1}])


def test_format():
    assert format_cents(599) == "$5.99"
    assert format_cents(5) == "$0.05"
