"""Run every scripted citizen against one bot and score them (used by the test and the bench)."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.roleplay.driver import Conversation
from tests.roleplay.harness import ROOT, BotUnderTest
from tests.roleplay.scoring import Score, score
from tests.roleplay.script import Citizen, load_citizens


def run_suite(bot: BotUnderTest, citizens: list[Citizen] | None = None) -> tuple[list[Score], float]:
    """Scores in the citizens' order, and the seconds the conversations took."""
    started = time.perf_counter()
    scores = [score(Conversation(bot, citizen, f"roleplay-{citizen.id}").run())
              for citizen in citizens or load_citizens()]
    return scores, time.perf_counter() - started


def trained_models(directory: Path) -> Path:
    """A model store whose active model is the built-in one trained on nlu_data/ (the bench's own)."""
    from nlu.models import ModelStore

    store = ModelStore(directory / "models")
    version, _ = store.train_builtin(ROOT / "nlu_data")
    store.activate(version)
    return store.root


def run_fresh() -> tuple[list[Score], float]:
    """Train, build the bot in a temporary directory, run the suite."""
    with tempfile.TemporaryDirectory(prefix="roleplay-") as directory:
        root = Path(directory)
        bot = BotUnderTest.build(root, trained_models(root))
        try:
            return run_suite(bot)
        finally:
            bot.close()
