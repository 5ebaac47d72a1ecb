"""Money arithmetic shared by the members of the workspace."""

from shared.money import format_cents, total_cents

__all__ = ["format_cents", "total_cents"]
