"""Adding a procedure group or an agency to the catalogue YAML (catalogue/), from the console.

Ids are a contract (reports, evaluation data, routing): existing ids are never renamed or removed
here, only new ones added. Every change is applied to a staged copy of the catalogue first and
loaded with the same loader the app uses; only a catalogue that loads is written.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from routing.catalogue import Catalogue
from storage.catalogue_files import load_catalogue
from storage.orm import agencies as agencies_table
from storage.orm import procedures as procedures_table

ID = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
LEVELS = ("city", "commune", "central")
# What the database keeps of a name (seed_catalogue copies the files into these tables).
PROCEDURE_NAME_LIMIT: int = procedures_table.c.name.type.length  # type: ignore[attr-defined]
AGENCY_NAME_LIMIT: int = agencies_table.c.name.type.length  # type: ignore[attr-defined]


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


def _stage_and_write(catalogue_dir: Path, changes: dict[str, str],
                     present: Callable[[Catalogue], bool]) -> None:
    """Load the catalogue with `changes` applied in a copy; write them only if it loads."""
    with tempfile.TemporaryDirectory(prefix="pakn-catalogue-") as temporary:
        staged = Path(temporary) / "catalogue"
        shutil.copytree(catalogue_dir, staged)
        for name, content in changes.items():
            (staged / name).write_text(content, encoding="utf-8")
        try:
            loaded = load_catalogue(staged)
        except Exception as error:  # any loader failure means the change would break startup
            raise CatalogueError(f"danh mục không đọc được sau thay đổi ({error})") from error
        if not present(loaded):
            raise CatalogueError("mục mới không đọc lại được từ tệp danh mục")
    for name, content in changes.items():
        path = catalogue_dir / name
        temporary_path = path.with_name(f".{name}.{os.getpid()}.tmp")
        temporary_path.write_text(content, encoding="utf-8")
        os.replace(temporary_path, path)


def add_procedure(catalogue_dir: Path, new: NewProcedure) -> None:
    catalogue = load_catalogue(catalogue_dir)
    _check_id(new.id, set(catalogue.procedures), "lĩnh vực")
    if not new.name.strip():
        raise CatalogueError("Vui lòng nhập tên lĩnh vực.")
    _check_name(new.name, PROCEDURE_NAME_LIMIT, "Tên lĩnh vực")
    if new.default_agency not in catalogue.agencies:
        raise CatalogueError("Cơ quan mặc định không có trong danh mục.")
    unknown = [a for a in new.agencies if a not in catalogue.agencies]
    if unknown:
        raise CatalogueError(f"Cơ quan không có trong danh mục: {', '.join(unknown)}.")
    procedures = (catalogue_dir / "procedures.yaml").read_text(encoding="utf-8")
    entry = (f"  - id: {new.id}\n    name: {_quote(new.name)}\n    covers: {_quote(new.covers)}\n"
             f"    default_agency: {new.default_agency}\n")
    competence = (catalogue_dir / "competence.yaml").read_text(encoding="utf-8")
    additions = {agency: [new.id] for agency in dict.fromkeys([new.default_agency, *new.agencies])}
    _stage_and_write(catalogue_dir, {"procedures.yaml": _append(procedures, entry),
                                     "competence.yaml": _competence(competence, additions)},
                     lambda c: new.id in c.procedures and c.can_handle(new.default_agency, new.id))


def add_agency(catalogue_dir: Path, new: NewAgency) -> None:
    catalogue = load_catalogue(catalogue_dir)
    _check_id(new.id, set(catalogue.agencies), "cơ quan")
    if not new.name.strip():
        raise CatalogueError("Vui lòng nhập tên cơ quan.")
    _check_name(new.name, AGENCY_NAME_LIMIT, "Tên cơ quan")
    if new.level not in LEVELS:
        raise CatalogueError("Cấp cơ quan không hợp lệ.")
    unknown = [p for p in new.procedures if p not in catalogue.procedures]
    if unknown:
        raise CatalogueError(f"Lĩnh vực không có trong danh mục: {', '.join(unknown)}.")
    agencies = (catalogue_dir / "agencies.yaml").read_text(encoding="utf-8")
    mentions = ", ".join(_quote(m.lower()) for m in new.mentions if m.strip())
    entry = (f"  - id: {new.id}\n    name: {_quote(new.name)}\n    level: {new.level}\n"
             f"    mentions: [{mentions}]\n")
    competence = (catalogue_dir / "competence.yaml").read_text(encoding="utf-8")
    _stage_and_write(catalogue_dir, {"agencies.yaml": _append(agencies, entry),
                                     "competence.yaml": _competence(competence, {new.id: new.procedures})},
                     lambda c: new.id in c.agencies)


def procedure_data_file(new_id: str, name: str, examples: list[str]) -> str:
    """nlu_data/procedures/<id>.yml for a new procedure group, with the examples given."""
    lines = "".join(f"    - {' '.join(e.split())}\n" for e in examples if e.strip())
    return (f"# {name}: added from the staff console.\nversion: \"3.1\"\nnlu:\n"
            f"- intent: phan_anh__{new_id}\n  examples: |\n{lines}")
