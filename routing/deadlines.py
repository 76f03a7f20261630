"""Legal time limits in working days, configurable per procedure group and per step."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from routing.calendar import WorkingCalendar

# The answer is due after classification/forwarding plus handling (NĐ 20/2008 Art. 9.1.d;
# handling limits believed from TT 02/2017/TT-VPCP, configurable).
ANSWER_STEPS = ("classify_and_forward", "handle_conduct")


@dataclass(frozen=True)
class DeadlinePolicy:
    steps: dict[str, int]
    per_procedure: dict[str, dict[str, int]] = field(default_factory=dict)

    def limit(self, step: str, procedure_id: str | None = None) -> int:
        override = self.per_procedure.get(procedure_id or "", {})
        return override.get(step, self.steps[step])

    def answer_days(self, procedure_id: str | None) -> int:
        return sum(self.limit(step, procedure_id) for step in ANSWER_STEPS)

    def answer_due_at(self, calendar: WorkingCalendar, received_at: datetime,
                      procedure_id: str | None) -> datetime:
        return calendar.due_at(received_at, self.answer_days(procedure_id))
