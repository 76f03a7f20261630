"""Read-side queries for pages, reports and tests: plain rows, no domain objects."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage.orm import survey_answers


def survey_averages(session: Session) -> list[dict[str, Any]]:
    """Average SIPAS score and answer count per agency and criterion."""
    rows = session.execute(
        sa.select(survey_answers.c.agency_id, survey_answers.c.criterion,
                  sa.func.avg(survey_answers.c.score), sa.func.count())
        .group_by(survey_answers.c.agency_id, survey_answers.c.criterion)
        .order_by(survey_answers.c.agency_id, survey_answers.c.criterion))
    return [{"agency_id": agency, "criterion": criterion, "average": round(float(average), 2),
             "answers": count} for agency, criterion, average, count in rows]
