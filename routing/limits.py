"""How long a citizen's contact details may be. The `cases` columns are declared with these
lengths (storage.orm), every entry point (chat, hotline form, Open311) refuses a longer value with
the reason before filing, and file_case refuses one too: PostgreSQL would refuse it with an error,
SQLite would keep it."""
from __future__ import annotations

from routing.model import DomainError

CITIZEN_NAME_LIMIT = 255
CITIZEN_PHONE_LIMIT = 32
CITIZEN_ADDRESS_LIMIT = 500
CONTACT_LIMITS = {"name": CITIZEN_NAME_LIMIT, "phone": CITIZEN_PHONE_LIMIT,
                  "address": CITIZEN_ADDRESS_LIMIT}


class ContactTooLong(DomainError):
    """A contact detail longer than its column: `field` ('name', 'phone', 'address') and `limit`."""

    def __init__(self, field: str, limit: int) -> None:
        super().__init__(f"{field} is longer than {limit} characters")
        self.field, self.limit = field, limit


def too_long(name: str, phone: str, address: str) -> tuple[str, int] | None:
    """The first contact field over its limit and that limit, or None."""
    for field, value in (("name", name), ("phone", phone), ("address", address)):
        if len(value.strip()) > CONTACT_LIMITS[field]:
            return field, CONTACT_LIMITS[field]
    return None
