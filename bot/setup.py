"""Bring an installation up to date: schema, catalogue, training data, calendar, an active NLU model.

The catalogue and the training data live in the database; the repository's `catalogue/` and
`nlu_data/` are copied in only while the database has none (storage/data_documents.py)."""
from __future__ import annotations

import logging
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from nlu.models import ModelStore
from nlu.training import data_edits
from settings import Settings
from storage import data_documents as dd
from storage.catalogue_files import calendar_entries, load_catalogue
from storage.db import make_engine, make_session_factory, seed_calendar, seed_catalogue, upgrade
from storage.reading import read_session

logger = logging.getLogger(__name__)


def prepare_database(database_url: str, catalogue_dir: Path, data_dir: Path | None = None) -> None:
    """Apply every migration; seed the catalogue (and the training data) documents when the
    database has none; then the agencies, procedures and calendar tables from the database's
    catalogue (all idempotent)."""
    upgrade(database_url)
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    now = datetime.now(timezone.utc)
    try:
        dd.seed(session_factory, dd.CATALOGUE, catalogue_dir, now)
        if data_dir is not None:
            dd.seed(session_factory, dd.NLU, data_dir, now)
        with read_session(session_factory) as session, \
                dd.exported(dd.documents(session, dd.CATALOGUE), "catalogue") as directory:
            catalogue, entries = load_catalogue(directory), calendar_entries(directory)
        seed_catalogue(engine, catalogue)
        added = seed_calendar(engine, entries)
        if added:
            logger.info("calendar: %d days added from the catalogue's calendar.yaml", added)
    finally:
        engine.dispose()


def ensure_nlu_model(settings: Settings) -> str:
    """Train the built-in model on the database's training data when none exists for it yet;
    keep one active."""
    store = ModelStore(Path(settings.nlu.models_dir))
    engine = make_engine(settings.database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="pakn-setup-") as temporary:
            with read_session(make_session_factory(engine)) as session:
                data_dir, _ = data_edits.snapshot(session, Path(temporary))
            version, trained = store.train_builtin(data_dir)
    finally:
        engine.dispose()
    if trained or store.active_version() is None:
        store.activate(version)
    return version


def export_documents(settings: Settings, kind: str, directory: Path) -> int:
    """Write the database's documents of `kind` as files (the repository's seed, or anywhere)."""
    engine = make_engine(settings.database_url)
    try:
        with read_session(make_session_factory(engine)) as session:
            texts = dd.documents(session, kind)
    finally:
        engine.dispose()
    if not texts:
        print(f"error: the database has no {kind} documents (run `python -m bot setup`)", file=sys.stderr)
        return 1
    written = dd.export(texts, directory)
    print(f"{len(written)} file(s) written to {directory}")
    return 0


def prepare(settings: Settings) -> None:
    prepare_database(settings.database_url, Path(settings.catalogue_dir), Path(settings.nlu.data_dir))
    version = ensure_nlu_model(settings)
    logger.info("setup done: database %s, NLU model %s", settings.database_url, version)
