"""Bring an installation up to date: schema, catalogue, calendar, an active NLU model."""
from __future__ import annotations

import logging
from pathlib import Path

from nlu.models import ModelStore
from storage.catalogue_files import calendar_entries, load_catalogue
from storage.db import make_engine, seed_calendar, seed_catalogue, upgrade
from settings import Settings

logger = logging.getLogger(__name__)


def prepare_database(database_url: str, catalogue_dir: Path) -> None:
    """Apply every migration, then load the catalogue and the calendar (both idempotent)."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        seed_catalogue(engine, load_catalogue(catalogue_dir))
        added = seed_calendar(engine, calendar_entries(catalogue_dir))
        if added:
            logger.info("calendar: %d days added from %s", added, catalogue_dir / "calendar.yaml")
    finally:
        engine.dispose()


def ensure_nlu_model(settings: Settings) -> str:
    """Train the built-in model when none exists for the current data; keep one active."""
    store = ModelStore(Path(settings.nlu.models_dir))
    version, trained = store.train_builtin(Path(settings.nlu.data_dir))
    if trained or store.active_version() is None:
        store.activate(version)
    return version


def prepare(settings: Settings) -> None:
    prepare_database(settings.database_url, Path(settings.catalogue_dir))
    version = ensure_nlu_model(settings)
    logger.info("setup done: database %s, NLU model %s", settings.database_url, version)
