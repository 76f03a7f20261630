"""Editing the training data and adding procedure groups or agencies (admins), validator in place.
Both live in the database (storage/data_documents.py); nothing here writes a file of the repository."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from console import nlu_texts as NT
from console.auth import audit, now, roles_required, user
from console.deps import components
from nlu.data import data_files
from nlu.training import data_edits as de
from nlu.training import review_data as rd
from nlu.training.validate import MIN_PAKN_EXAMPLES, validate
from storage import catalogue_admin as ca
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_nlu_data", __name__, url_prefix="/console/nlu")
ADMIN = "admin"


def _dirs() -> tuple[Path, Path]:
    """This process's files of the training data and of the catalogue, as the database has them."""
    pakn = components()
    pakn.nlu_data.refresh(force=True)
    pakn.live_catalogue.refresh_if_changed(force=True)
    return pakn.nlu_data.directory, pakn.live_catalogue.directory


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
    relative = (request.values.get("file") or "").strip()
    try:
        rd.safe_relative(Path("/nlu_data"), relative)
    except ValueError:
        abort(404)
    if request.method == "GET":
        with components().read() as session:
            content = de.file_content(session, relative)
        if content is None:
            content = rd.HEADER.format(source="console") if relative.startswith(rd.REVIEWED_DIR) \
                else 'version: "3.1"\nnlu:\n'
        return render_template("nlu/file.html", file=relative, content=content, problems=[])
    content = request.form.get("content", "").replace("\r\n", "\n")

    def work(uow: SqlUnitOfWork) -> list[str]:
        problems = de.save_file(uow.session, relative, content, user().username, now())
        if not problems:
            audit(uow, "nlu_data_edit", "nlu_data_file", relative[:64])
        return problems

    problems = components().uow().run(work, keep=lambda found: not found)
    if problems:
        flash(NT.FILE_PROBLEMS, "error")
        return render_template("nlu/file.html", file=relative, content=content, problems=problems), 422
    components().nlu_data.refresh(force=True)
    flash(NT.FILE_SAVED.format(file=relative), "success")
    return redirect(url_for("console_nlu_data.edit_file", file=relative))


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


@blueprint.route("/catalogue/procedure", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_procedure() -> Any:
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
    content = ca.procedure_data_file(new.id, new.name, examples)

    def work(uow: SqlUnitOfWork) -> list[str]:
        if de.file_content(uow.session, relative) is not None:
            raise ca.CatalogueError(f"Đã có tệp dữ liệu {relative}.")
        ca.add_procedure(uow.session, new, user().username, now())
        audit(uow, "catalogue_add_procedure", "procedure", new.id,
              {"name": new.name, "default_agency": new.default_agency, "examples": len(examples)})
        # kept even if short: training refuses it until the group has enough examples
        return de.save_file(uow.session, relative, content, user().username, now(),
                            keep_with_problems=True)

    try:
        problems = components().uow().run(work)
    except ca.CatalogueError as error:
        flash(NT.CATALOGUE_ERROR.format(error=error), "error")
        return render_template("nlu/procedure.html", catalogue=catalogue, form=form, problems=[],
                               minimum=MIN_PAKN_EXAMPLES), 422
    _refresh()
    flash(NT.PROCEDURE_ADDED.format(id=new.id, min=MIN_PAKN_EXAMPLES), "success")
    return render_template("nlu/file.html", file=relative, content=content, problems=problems)


@blueprint.route("/catalogue/agency", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_agency() -> Any:
    catalogue = components().ctx.catalogue
    if request.method == "GET":
        return render_template("nlu/agency.html", catalogue=catalogue, form={}, levels=ca.LEVELS)
    form = request.form
    new = ca.NewAgency(form.get("id", "").strip(), form.get("name", "").strip(), form.get("level", ""),
                       [m.strip() for m in form.get("mentions", "").split(",") if m.strip()],
                       form.getlist("procedures"))

    def work(uow: SqlUnitOfWork) -> None:
        ca.add_agency(uow.session, new, user().username, now())
        audit(uow, "catalogue_add_agency", "agency", new.id, {"name": new.name, "level": new.level})

    try:
        components().uow().run(work)
    except ca.CatalogueError as error:
        flash(NT.CATALOGUE_ERROR.format(error=error), "error")
        return render_template("nlu/agency.html", catalogue=catalogue, form=form, levels=ca.LEVELS), 422
    _refresh()
    flash(NT.AGENCY_ADDED.format(id=new.id), "success")
    return redirect(url_for("console_nlu_data.data"))


def _refresh() -> None:
    """This process sees the change now; the others within catalogue_check_seconds."""
    components().live_catalogue.refresh_if_changed(force=True)
    components().nlu_data.refresh(force=True)
