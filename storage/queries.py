"""Read-side queries for pages, reports and tests: plain rows, no domain objects."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage.orm import cases, survey_answers


def survey_averages(session: Session, cases_clause: sa.ColumnElement[bool] | None = None
                    ) -> list[dict[str, Any]]:
    """Average SIPAS score and answer count per agency and criterion; with `cases_clause`, only
    for the answers about the cases it selects (a staff member's scope)."""
    query = (sa.select(survey_answers.c.agency_id, survey_answers.c.criterion,
                       sa.func.avg(survey_answers.c.score), sa.func.count())
             .group_by(survey_answers.c.agency_id, survey_answers.c.criterion)
             .order_by(survey_answers.c.agency_id, survey_answers.c.criterion))
    if cases_clause is not None:
        query = (query.select_from(survey_answers.join(cases, cases.c.code == survey_answers.c.case_code))
                 .where(cases_clause))
    return [{"agency_id": agency, "criterion": criterion, "average": round(float(average), 2),
             "answers": count} for agency, criterion, average, count in session.execute(query)]
