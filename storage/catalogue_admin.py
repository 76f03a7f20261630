"""Adding a procedure group or an agency to the catalogue, from the console.

The catalogue's documents live in the database (storage/data_documents.py); a change is made in
the caller's unit of work, under the catalogue writers' lock, and the agencies and procedures
tables follow in the same transaction. Ids are a contract (reports, evaluation data, routing):
existing ids are never renamed or removed here, only new ones added. Every change is applied to a
staged copy first and loaded with the same loader the app uses; only a catalogue that loads is kept.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import yaml
from sqlalchemy.orm import Session

from routing.catalogue import Catalogue
from storage import data_documents as dd
from storage.catalogue_files import load_catalogue, sync_catalogue_rows
from storage.orm import agencies as agencies_table
from storage.orm import column_length
from storage.orm import procedures as procedures_table

ID = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
LEVELS = ("city", "commune", "central")
# What the database keeps of a name (seed_catalogue copies the files into these tables).
PROCEDURE_NAME_LIMIT = column_length(procedures_table.c.name)
AGENCY_NAME_LIMIT = column_length(agencies_table.c.name)


class CatalogueError(ValueError):
    """A new entry is not acceptable; the message is Vietnamese, shown as is."""


@dataclass
class NewProcedure:
    id: str
    name: str
    covers: str
    default_agency: str
    agencies: list[str] = field(default_factory=list)  # competent agencies besides the default


@dataclass
class NewAgency:
    id: str
    name: str
    level: str
    mentions: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)


def _quote(value: str) -> str:
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def _append(text: str, entry: str) -> str:
    return (text if text.endswith("\n") else text + "\n") + entry


def _competence(text: str, additions: dict[str, list[str]]) -> str:
    """competence.yaml with `additions` (agency -> procedures); header comments kept."""
    data = yaml.safe_load(text) or {}
    competence = {k: list(v or []) for k, v in (data.get("competence") or {}).items()}
    for agency, procedures in additions.items():
        current = competence.setdefault(agency, [])
        current += [p for p in procedures if p not in current]
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    body = "".join(f"  {agency}: [{', '.join(procs)}]\n" for agency, procs in competence.items())
    return f"{header}version: {data.get('version', 1)}\ncompetence:\n{body}"


def _check_id(value: str, existing: set[str], what: str) -> None:
    if not ID.match(value):
        raise CatalogueError(f"Mã {what} chỉ gồm chữ thường không dấu, số và dấu gạch dưới "
                             f"(3–41 ký tự), ví dụ «phuong_tien_giao_thong».")
    if value in existing:
        raise CatalogueError(f"Mã {what} «{value}» đã có; mã định danh không được trùng hoặc đổi.")


def _check_name(name: str, limit: int, what: str) -> None:
    """A name the database can seed: a longer one would be written to the file and then refused
    by PostgreSQL at every start."""
    if len(name.strip()) > limit:
        raise CatalogueError(f"{what} dài quá {limit} ký tự (đang có {len(name.strip())} ký tự).")


def _staged(texts: dict[str, str], changes: dict[str, str],
            present: Callable[[Catalogue], bool]) -> Catalogue:
    """The catalogue with `changes` applied, loaded by the app's own loader; CatalogueError when
    it would not load (a change that breaks the catalogue would break every start)."""
    with dd.exported({**texts, **changes}, "catalogue") as staged:
        try:
            loaded = load_catalogue(staged)
        except Exception as error:  # any loader failure means the change would break startup
            raise CatalogueError(f"danh mục không đọc được sau thay đổi ({error})") from error
    if not present(loaded):
        raise CatalogueError("mục mới không đọc lại được từ tệp danh mục")
    return loaded


def current(session: Session) -> tuple[dict[str, str], Catalogue]:
    """The catalogue documents under the writers' lock, and the catalogue they load to."""
    dd.lock(session, dd.CATALOGUE)
    texts = dd.documents(session, dd.CATALOGUE)
    with dd.exported(texts, "catalogue") as directory:
        return texts, load_catalogue(directory)


def _save(session: Session, texts: dict[str, str], changes: dict[str, str], loaded: Catalogue,
          actor: str, now: datetime) -> None:
    dd.write(session, dd.CATALOGUE, changes, actor, now)
    sync_catalogue_rows(session.connection(), loaded)  # cases reference the ids


def add_procedure(session: Session, new: NewProcedure, actor: str, now: datetime) -> Catalogue:
    """Add a procedure group in this transaction; the catalogue with it."""
    texts, catalogue = current(session)
    _check_id(new.id, set(catalogue.procedures), "lĩnh vực")
    if not new.name.strip():
        raise CatalogueError("Vui lòng nhập tên lĩnh vực.")
    _check_name(new.name, PROCEDURE_NAME_LIMIT, "Tên lĩnh vực")
    if new.default_agency not in catalogue.agencies:
        raise CatalogueError("Cơ quan mặc định không có trong danh mục.")
    unknown = [a for a in new.agencies if a not in catalogue.agencies]
    if unknown:
        raise CatalogueError(f"Cơ quan không có trong danh mục: {', '.join(unknown)}.")
    entry = (f"  - id: {new.id}\n    name: {_quote(new.name)}\n    covers: {_quote(new.covers)}\n"
             f"    default_agency: {new.default_agency}\n")
    additions = {agency: [new.id] for agency in dict.fromkeys([new.default_agency, *new.agencies])}
    changes = {"procedures.yaml": _append(texts["procedures.yaml"], entry),
               "competence.yaml": _competence(texts["competence.yaml"], additions)}
    loaded = _staged(texts, changes,
                     lambda c: new.id in c.procedures and c.can_handle(new.default_agency, new.id))
    _save(session, texts, changes, loaded, actor, now)
    return loaded


def add_agency(session: Session, new: NewAgency, actor: str, now: datetime) -> Catalogue:
    """Add an agency in this transaction; the catalogue with it."""
    texts, catalogue = current(session)
    _check_id(new.id, set(catalogue.agencies), "cơ quan")
    if not new.name.strip():
        raise CatalogueError("Vui lòng nhập tên cơ quan.")
    _check_name(new.name, AGENCY_NAME_LIMIT, "Tên cơ quan")
    if new.level not in LEVELS:
        raise CatalogueError("Cấp cơ quan không hợp lệ.")
    unknown = [p for p in new.procedures if p not in catalogue.procedures]
    if unknown:
        raise CatalogueError(f"Lĩnh vực không có trong danh mục: {', '.join(unknown)}.")
    mentions = ", ".join(_quote(m.lower()) for m in new.mentions if m.strip())
    entry = (f"  - id: {new.id}\n    name: {_quote(new.name)}\n    level: {new.level}\n"
             f"    mentions: [{mentions}]\n")
    changes = {"agencies.yaml": _append(texts["agencies.yaml"], entry),
               "competence.yaml": _competence(texts["competence.yaml"], {new.id: new.procedures})}
    loaded = _staged(texts, changes, lambda c: new.id in c.agencies)
    _save(session, texts, changes, loaded, actor, now)
    return loaded


def procedure_data_file(new_id: str, name: str, examples: list[str]) -> str:
    """nlu_data/procedures/<id>.yml for a new procedure group, with the examples given."""
    lines = "".join(f"    - {' '.join(e.split())}\n" for e in examples if e.strip())
    return (f"# {name}: added from the staff console.\nversion: \"3.1\"\nnlu:\n"
            f"- intent: phan_anh__{new_id}\n  examples: |\n{lines}")
