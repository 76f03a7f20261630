"""Changes to the training data, in the caller's unit of work: the documents in the database
(storage/data_documents.py), checked by the validator on a staged copy first, where only the
problems a change introduces count (an old problem elsewhere does not block an edit)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from nlu.training import review_data as rd
from storage import data_documents as dd

DATA_DIR_NAME = "nlu_data"  # the name the validator's messages show, as in the repository


@contextmanager
def locked_copy(session: Session) -> Iterator[tuple[Path, Path]]:
    """(training data, catalogue) as files, under the training data writers' lock: what this
    transaction reads there is what the next writer, on any machine, will build on."""
    dd.lock(session, dd.NLU)
    with dd.exported(dd.documents(session, dd.NLU), DATA_DIR_NAME) as data_root, \
            dd.exported(dd.documents(session, dd.CATALOGUE), "catalogue") as catalogue_dir:
        yield data_root, catalogue_dir


def save_file(session: Session, relative: str, content: str, actor: str, now: datetime,
              keep_with_problems: bool = False) -> list[str]:
    """Store one training data file; the validator problems it introduces. With problems it is
    stored only when `keep_with_problems` (a new group's first, short file: training refuses it).
    Raises ValueError for a path that is not a training data file."""
    with locked_copy(session) as (data_root, catalogue_dir):
        rd.safe_relative(data_root, relative)
        problems = rd.staged_problems(data_root, catalogue_dir, {relative: content})
        if problems and not keep_with_problems:
            return problems
        dd.write(session, dd.NLU, {relative: content}, actor, now)
    return problems


def file_content(session: Session, relative: str) -> str | None:
    return dd.document(session, dd.NLU, relative)


def snapshot(session: Session, directory: Path) -> tuple[Path, Path]:
    """The training data and the catalogue as files under `directory` (a training job's own copy,
    stable while the job runs whatever staff change meanwhile)."""
    data_root, catalogue_dir = directory / DATA_DIR_NAME, directory / "catalogue"
    dd.export(dd.documents(session, dd.NLU), data_root)
    dd.export(dd.documents(session, dd.CATALOGUE), catalogue_dir)
    return data_root, catalogue_dir
