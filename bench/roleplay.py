"""Role-play benchmark (issue 13): the scripted citizens of tests/roleplay/ talk to the real pipeline
in process (built-in NLU model trained afresh on nlu_data/, a temporary SQLite database) and each
conversation is scored on the case it filed.

Prints the share of conversations that end with the right case (name, phone, address, procedure
group, agency, a description with nothing foreign in it) overall and per habit, the median and p90
of citizen turns, and every failure with its short transcript. Figures only; never pass/fail (the
floor is in tests/roleplay/test_roleplay.py; the issue's target is 97 % and a median of 5 turns).
"""
from __future__ import annotations

from typing import Any

from tests.roleplay.scoring import figures, report
from tests.roleplay.suite import run_fresh


def run() -> dict[str, Any]:
    scores, seconds = run_fresh()
    print(report(scores, seconds))
    fig = figures(scores)
    return {"share": fig.share, "median_turns": fig.median_turns, "p90_turns": fig.p90_turns,
            "total": fig.total, "seconds": seconds}


if __name__ == "__main__":
    run()
