"""The catalogue and the NLU training data as staff edit them: documents in the database.

Each YAML file of `catalogue/` and `nlu_data/` is a row of `data_documents` (kind, path, content);
the files in the repository are only the seed (copied in when the database has none of that kind)
and an export (`python -m bot catalogue export`, `nlu export`). The running app never writes them.

`data_revisions` counts the changes of each kind. A writer bumps it first, in its unit of work: on
PostgreSQL the row lock and on SQLite the write lock serialise writers of every process and machine,
and readers learn that something changed by reading one number. Code that reads a directory (the
catalogue loader, the NLU validator and trainers) reads a `WorkingCopy`: this process's copy of the
documents as files in a private temporary directory, renewed when the revision moves.
"""
from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.orm import data_documents, data_revisions

logger = logging.getLogger(__name__)
CATALOGUE = "catalogue"
NLU = "nlu"
# Which files of a seed directory are documents of each kind.
PATTERNS = {CATALOGUE: "*.yaml", NLU: "**/*.yml"}


def revision(session: Session, kind: str) -> int:
    """The number of changes of `kind` so far (0 before the seed)."""
    found = session.scalar(sa.select(data_revisions.c.revision).where(data_revisions.c.kind == kind))
    return int(found or 0)


def lock(session: Session, kind: str) -> int:
    """Take the writers' lock of `kind` for this transaction; the revision before this change."""
    result = session.execute(data_revisions.update().where(data_revisions.c.kind == kind)
                             .values(revision=data_revisions.c.revision + 1))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise LookupError(f"no {kind} documents: run `python -m bot setup` first")
    return revision(session, kind) - 1


def documents(session: Session, kind: str) -> dict[str, str]:
    """path -> content of every document of `kind`."""
    rows = session.execute(sa.select(data_documents.c.path, data_documents.c.content)
                           .where(data_documents.c.kind == kind).order_by(data_documents.c.path))
    return {str(path): str(content) for path, content in rows}


def document(session: Session, kind: str, path: str) -> str | None:
    found = session.scalar(sa.select(data_documents.c.content).where(
        data_documents.c.kind == kind, data_documents.c.path == path))
    return None if found is None else str(found)


def write(session: Session, kind: str, changes: Mapping[str, str], actor: str, now: datetime) -> None:
    """Store `changes` (path -> new content) under the lock taken with `lock` in this transaction."""
    current = revision(session, kind)
    existing = set(session.scalars(sa.select(data_documents.c.path).where(
        data_documents.c.kind == kind, data_documents.c.path.in_(list(changes)))))
    for path, content in changes.items():
        values = {"content": content, "revision": current, "updated_at": now, "updated_by": actor}
        if path in existing:
            session.execute(data_documents.update().where(
                data_documents.c.kind == kind, data_documents.c.path == path).values(values))
        else:
            session.execute(data_documents.insert().values(kind=kind, path=path, **values))


def read_directory(directory: Path, kind: str) -> dict[str, str]:
    """The documents of a seed directory: relative path -> content."""
    return {PurePosixPath(path.relative_to(directory)).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(directory.glob(PATTERNS[kind])) if path.is_file()}


def seed(session_factory: sessionmaker[Session], kind: str, directory: Path, now: datetime) -> int:
    """Copy the files of `directory` in when the database has no documents of `kind`; how many.
    Two processes seeding at once: the second finds the revision row taken and copies nothing."""
    with session_factory() as session:
        if not sa.inspect(session.connection()).has_table(data_revisions.name):
            raise RuntimeError("the database is not set up (migration 0020): run `python -m bot setup`")
        if session.scalar(sa.select(data_revisions.c.kind).where(data_revisions.c.kind == kind)):
            return 0
        texts = read_directory(directory, kind)
        try:
            session.execute(data_revisions.insert().values(kind=kind, revision=1))
            write(session, kind, texts, "seed", now)
            session.commit()
        except IntegrityError:
            session.rollback()
            return 0
    logger.info("%s: %d documents seeded from %s", kind, len(texts), directory)
    return len(texts)


def export(texts: Mapping[str, str], directory: Path) -> list[Path]:
    """Write the documents as files under `directory` (others there are left alone)."""
    written = []
    root = directory.resolve()
    for relative, content in texts.items():
        path = (directory / relative).resolve()
        if root not in path.parents:
            raise ValueError(f"document path outside the directory: {relative}")
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(content, encoding="utf-8")
        temporary.replace(path)
        written.append(path)
    return written


@contextmanager
def exported(texts: Mapping[str, str], name: str) -> Iterator[Path]:
    """The documents as files in a temporary directory called `name`, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="pakn-data-") as temporary:
        directory = Path(temporary) / name
        directory.mkdir()
        export(texts, directory)
        yield directory


class WorkingCopy:
    """This process's files of one kind, renewed from the database when its revision moved.

    `directory` always names a complete copy: a new revision is written to a new directory and
    then swapped in, so a reader holding the old path keeps reading consistent files."""

    def __init__(self, session_factory: sessionmaker[Session], kind: str,
                 check_seconds: float = 5.0) -> None:
        self.session_factory = session_factory
        self.kind = kind
        self.check_seconds = check_seconds
        self.root = Path(tempfile.mkdtemp(prefix=f"pakn-{kind}-"))
        atexit.register(shutil.rmtree, self.root, True)
        self.revision = -1
        self._count = 0
        self._lock = threading.Lock()
        self._next_check = 0.0
        self.directory = self.root / "empty"
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> bool:
        """Renew the copy when the database has a newer revision; True when it did."""
        now = time.monotonic()
        if not force and now < self._next_check:
            return False
        with self._lock:
            self._next_check = now + self.check_seconds
            with self.session_factory() as session:
                current = revision(session, self.kind)
                if current == self.revision:
                    return False
                texts = documents(session, self.kind)
            self._count += 1
            fresh = self.root / f"{self._count}-r{current}" / self.kind
            export(texts, fresh)
            previous, self.directory, self.revision = self.directory, fresh, current
            for old in self.root.iterdir():  # keep the previous copy for readers still in it
                if old != fresh.parent and old != previous.parent:
                    shutil.rmtree(old, ignore_errors=True)
        logger.debug("%s working copy at revision %d", self.kind, current)
        return True
