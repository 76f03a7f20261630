"""NLU review queue (admins): messages the model was unsure of and staff corrections, accepted into
the training data after masking, with clashes and validator problems shown on the form."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from console import nlu_texts as NT
from console.auth import audit, now, roles_required, user
from console.deps import components
from console.form_text import page_number
from intake import dialogue_texts as DT
from intake import messages as M
from nlu.training import review_queue as rq
from nlu.training import services as review
from settings import Settings
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_nlu", __name__, url_prefix="/console/nlu")
ADMIN = "admin"
PER_PAGE = 50
INTENTS = ("phan_anh", "tra_cuu", "gap_can_bo", "chao_hoi", "cam_on", "huy_bo", "hoi_thu_tuc",
           "ngoai_pham_vi")


def settings() -> Settings:
    return components().settings


def contact_question(text: str) -> str | None:
    """Which contact detail a bot message asks for ('name', 'phone', 'address'), from the
    dialogue's own question texts: the answer to it is personal data, never a training example."""
    lowered = text.lower()
    for slot, questions in CONTACT_QUESTIONS.items():
        if any(question.lower() in lowered for question in questions):
            return slot
    return None


CONTACT_QUESTIONS = {
    slot: (ask, again, M.OFFER_STAFF.format(field=M.CONTACT_FIELDS[slot]).split(",")[0],
           DT.CONFIRM_FIELD[slot].split("{")[0])
    for slot, ask, again in (("name", M.ASK_NAME, M.ASK_NAME_AGAIN),
                             ("phone", M.ASK_PHONE, M.ASK_PHONE_AGAIN),
                             ("address", M.ASK_ADDRESS, M.ASK_ADDRESS_AGAIN))}


def collect(uow: SqlUnitOfWork) -> int:
    nlu = settings().nlu
    return review.collect_review_items(uow, now(), nlu.threshold, nlu.review.margin,
                                       components().nlu.parse, contact_question)


@blueprint.app_template_global("nlu_names")
def nlu_names() -> Any:
    return NT


@blueprint.app_template_global("intent_label")
def intent_label(label: str | None) -> str:
    """'Phản ánh, kiến nghị (phan_anh)', 'Phản ánh, kiến nghị: Hộ tịch (phan_anh__ho_tich)'."""
    if not label:
        return "—"
    intent, _, procedure = label.partition("__")
    if procedure:
        name = components().ctx.catalogue.procedure_name(procedure) or procedure
        return f"{NT.PAKN_LABEL.format(procedure=name)} ({label})"
    return f"{NT.INTENT_NAMES[intent]} ({label})" if intent in NT.INTENT_NAMES else label


@blueprint.app_template_global("gold_label")
def gold_label(labels: str) -> str:
    """An evaluation's 'intent/procedure/agency' ids (nlu.training.evaluate, '-' for none) in words."""
    catalogue = components().ctx.catalogue
    intent, procedure, agency = (labels.split("/") + ["-", "-"])[:3]
    parts = [intent_label(intent)]
    if procedure != "-":
        parts.append(catalogue.procedure_name(procedure) or procedure)
    if agency != "-":
        parts.append(catalogue.agency_name(agency) or agency)
    return " · ".join(parts)


@blueprint.get("/review")
@roles_required(ADMIN)
def queue() -> str:
    status = request.args.get("status", "pending")
    source = request.args.get("source", "")
    page = page_number(request.args.get("page")) or 1
    added = components().uow().run(collect)
    with components().read() as db:
        rows, total = rq.list_items(db, status if status in NT.STATUS_NAMES else "pending",
                                    source if source in rq.SOURCES else "", PER_PAGE, (page - 1) * PER_PAGE)
        counts = rq.counts_by_source(db)
        for row in rows:
            row["shown"] = masked(db, row)
    return render_template("nlu/queue.html", rows=rows, total=total, page=page, status=status,
                           source=source, counts=counts, added=added, sources=rq.SOURCES,
                           pages=max(1, (total + PER_PAGE - 1) // PER_PAGE))


def masked(db: Any, item: dict[str, Any]) -> str:
    """The item's text as staff see it: names, phones, addresses and the citizen's own details
    masked (routing.masking); the stored text is only what the masked example is made from."""
    from routing.masking import mask

    return mask(item["text"], known=rq.known_personal_data(db, item))


def _next_url(item_id: int) -> str:
    """Save-and-next: the following pending item of the same source, else the queue."""
    source = request.form.get("source") or request.args.get("source") or ""
    with components().read() as db:
        following = review.next_pending(db, item_id, source if source in rq.SOURCES else "")
    if following is None:
        flash(NT.QUEUE_DONE, "success")
        return url_for("console_nlu.queue")
    return url_for("console_nlu.item", item_id=following, source=source or None)


def _form_decision() -> rq.Decision:
    form = request.form
    intent = form.get("intent", "")
    return rq.Decision(intent=intent, procedure=(form.get("procedure") or None) if intent == "phan_anh" else None,
                       agency=form.get("agency") or None, text=form.get("text", "").strip(),
                       replace_conflicts=form.get("replace_conflicts") == "1",
                       note=form.get("note", "").strip()[:500])


def _render_item(item: dict[str, Any], decision: rq.Decision, outcome: rq.Outcome | None = None,
                 code: int = 200) -> Any:
    pakn = components()
    if "shown" not in item:
        with pakn.read() as db:
            item = {**item, "shown": masked(db, item)}
    source = request.values.get("source", "")
    return render_template("nlu/item.html", item=item, d=decision, outcome=outcome, intents=INTENTS,
                           catalogue=pakn.ctx.catalogue, source=source if source in rq.SOURCES else "",
                           keys=NT.REVIEW_KEYS), code


@blueprint.route("/review/<int:item_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def item(item_id: int) -> Any:
    pakn = components()
    with pakn.read() as db:
        row = rq.get_item(db, item_id) or abort(404)
        if request.method == "GET":
            try:
                decision = rq.proposal(db, row, pakn.nlu.extractor, pakn.ctx.catalogue)
            except ImportError:
                flash(NT.MASKING_MISSING, "error")
                decision = rq.Decision("phan_anh", None, None, "")
            row = {**row, "shown": masked(db, row)}  # in this session: SQLite allows one at a time
    if request.method == "GET":
        return _render_item(row, decision)
    if request.form.get("action") == "reject":
        if pakn.uow().run(_reject(item_id), keep=bool):
            flash(NT.REJECTED, "success")
        else:
            flash(NT.NOT_PENDING, "error")
        return redirect(_next_url(item_id))
    decision = _form_decision()
    try:
        outcome = pakn.uow().run(_accept(item_id, decision), keep=lambda outcome: outcome.accepted)
    except ImportError:
        flash(NT.MASKING_MISSING, "error")
        return _render_item(row, decision, None, 503)
    if outcome.accepted:
        flash(NT.ACCEPTED.format(file=outcome.file, label=outcome.label), "success")
        return redirect(_next_url(item_id))
    message = {"not_pending": NT.NOT_PENDING, "unknown_procedure": NT.UNKNOWN_PROCEDURE,
               "unknown_agency": NT.UNKNOWN_AGENCY, "unknown_intent": NT.UNKNOWN_INTENT,
               "empty": NT.EMPTY}.get(outcome.error)
    flash(message or (NT.PROBLEMS if outcome.problems else NT.CLASHES), "error")
    if outcome.example:
        decision.text = outcome.example  # show the masked text the check was made on
    return _render_item(row, decision, outcome, 409 if outcome.clashes or outcome.problems else 400)


def _reject(item_id: int) -> Callable[[SqlUnitOfWork], bool]:
    def work(uow: SqlUnitOfWork) -> bool:
        rejected = review.reject_review_item(uow, item_id, user().username, now(),
                                             request.form.get("note", "")[:500])
        if rejected:
            audit(uow, "nlu_review_reject", "nlu_review_item", item_id)
        return rejected
    return work


def _accept(item_id: int, decision: rq.Decision) -> Callable[[SqlUnitOfWork], rq.Outcome]:
    def work(uow: SqlUnitOfWork) -> rq.Outcome:
        outcome = review.accept_review_item(uow, item_id, decision, components().ctx.catalogue,
                                            user().username, now())
        if outcome.accepted:
            audit(uow, "nlu_review_accept", "nlu_review_item", item_id,
                  {"label": outcome.label, "file": outcome.file, "agency": decision.agency,
                   "replaced": bool(outcome.clashes)})
        return outcome
    return work


@blueprint.get("/review/<int:item_id>/next")
@roles_required(ADMIN)
def item_next(item_id: int) -> Any:
    """Skip to the following pending item without saving (Alt+N)."""
    return redirect(_next_url(item_id))
