"""Editing the training data and adding procedure groups or agencies (admins), validator in place."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from console import nlu_texts as NT
from console.auth import audited, roles_required
from console.deps import components
from nlu.data import data_files
from nlu.training import review_data as rd
from nlu.training.validate import MIN_PAKN_EXAMPLES, validate
from storage import catalogue_admin as ca

blueprint = Blueprint("console_nlu_data", __name__, url_prefix="/console/nlu")
ADMIN = "admin"


def _dirs() -> tuple[Path, Path]:
    settings = components().settings
    return Path(settings.nlu.data_dir), Path(settings.catalogue_dir)


@blueprint.get("/data")
@roles_required(ADMIN)
def data() -> str:
    data_dir, catalogue_dir = _dirs()
    counts = rd.intent_counts(data_dir)
    files = [str(p.relative_to(data_dir)) for p in data_files(data_dir)]
    return render_template("nlu/data.html", counts=sorted(counts.items()), files=files,
                           problems=validate(data_dir, catalogue_dir), minimum=MIN_PAKN_EXAMPLES)


@blueprint.route("/data/file", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_file() -> Any:
    data_dir, catalogue_dir = _dirs()
    relative = (request.values.get("file") or "").strip()
    try:
        path = rd.safe_relative(data_dir, relative)
    except ValueError:
        abort(404)
    if request.method == "GET":
        content = path.read_text(encoding="utf-8") if path.exists() else \
            rd.HEADER.format(source="console") if relative.startswith(rd.REVIEWED_DIR) else 'version: "3.1"\nnlu:\n'
        return render_template("nlu/file.html", file=relative, content=content, problems=[])
    content = request.form.get("content", "").replace("\r\n", "\n")
    with rd.data_lock(data_dir):
        problems = rd.staged_problems(data_dir, catalogue_dir, {relative: content})
        if not problems:
            rd.write_changes(data_dir, {relative: content})
    if problems:
        flash(NT.FILE_PROBLEMS, "error")
        return render_template("nlu/file.html", file=relative, content=content, problems=problems), 422
    audited("nlu_data_edit", "nlu_data_file", relative[:64])
    flash(NT.FILE_SAVED.format(file=relative), "success")
    return redirect(url_for("console_nlu_data.edit_file", file=relative))


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


@blueprint.route("/catalogue/procedure", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_procedure() -> Any:
    data_dir, catalogue_dir = _dirs()
    catalogue = components().ctx.catalogue
    if request.method == "GET":
        return render_template("nlu/procedure.html", catalogue=catalogue, form={}, problems=[],
                               minimum=MIN_PAKN_EXAMPLES)
    form = request.form
    new = ca.NewProcedure(form.get("id", "").strip(), form.get("name", "").strip(),
                          form.get("covers", "").strip(), form.get("default_agency", ""),
                          form.getlist("agencies"))
    examples = _lines("examples")
    relative = f"procedures/{new.id}.yml"
    try:
        if (data_dir / relative).exists():
            raise ca.CatalogueError(f"Đã có tệp dữ liệu {relative}.")
        ca.add_procedure(catalogue_dir, new)
    except ca.CatalogueError as error:
        flash(NT.CATALOGUE_ERROR.format(error=error), "error")
        return render_template("nlu/procedure.html", catalogue=catalogue, form=form, problems=[],
                               minimum=MIN_PAKN_EXAMPLES), 422
    content = ca.procedure_data_file(new.id, new.name, examples)
    with rd.data_lock(data_dir):
        problems = rd.staged_problems(data_dir, catalogue_dir, {relative: content})
        rd.write_changes(data_dir, {relative: content})  # kept even if short: training refuses it
    _seed_catalogue(catalogue_dir)
    audited("catalogue_add_procedure", "procedure", new.id,
            {"name": new.name, "default_agency": new.default_agency, "examples": len(examples)})
    flash(NT.PROCEDURE_ADDED.format(id=new.id, min=MIN_PAKN_EXAMPLES), "success")
    return render_template("nlu/file.html", file=relative, content=content, problems=problems)


@blueprint.route("/catalogue/agency", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_agency() -> Any:
    _, catalogue_dir = _dirs()
    catalogue = components().ctx.catalogue
    if request.method == "GET":
        return render_template("nlu/agency.html", catalogue=catalogue, form={}, levels=ca.LEVELS)
    form = request.form
    new = ca.NewAgency(form.get("id", "").strip(), form.get("name", "").strip(), form.get("level", ""),
                       [m.strip() for m in form.get("mentions", "").split(",") if m.strip()],
                       form.getlist("procedures"))
    try:
        ca.add_agency(catalogue_dir, new)
    except ca.CatalogueError as error:
        flash(NT.CATALOGUE_ERROR.format(error=error), "error")
        return render_template("nlu/agency.html", catalogue=catalogue, form=form, levels=ca.LEVELS), 422
    _seed_catalogue(catalogue_dir)
    audited("catalogue_add_agency", "agency", new.id, {"name": new.name, "level": new.level})
    flash(NT.AGENCY_ADDED.format(id=new.id), "success")
    return redirect(url_for("console_nlu_data.data"))


def _seed_catalogue(catalogue_dir: Path) -> None:
    """The new ids as database rows (cases reference them) and in this process's catalogue now;
    other processes pick the files up within seconds (LiveCatalogue)."""
    from storage.catalogue_files import load_catalogue
    from storage.db import seed_catalogue

    seed_catalogue(components().engine, load_catalogue(catalogue_dir))
    components().live_catalogue.refresh_if_changed(force=True)
