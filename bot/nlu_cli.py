"""`python -m bot nlu validate|train|evaluate|versions|activate|rollback|classify|review|export`.

validate, train and evaluate work on the files of `nlu.data_dir` (the repository's seed: edit,
validate, train, evaluate); `export` first to work on what staff changed in the console."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.config import ROOT
from nlu.models import ModelStore
from settings import Settings

HELDOUT = ROOT / "evaluation" / "nlu_heldout.jsonl"
CONTACTS_HELDOUT = ROOT / "evaluation" / "contacts_heldout.jsonl"


def add_nlu_commands(commands: Any) -> None:
    nlu = commands.add_parser("nlu", help="NLU training data and models")
    sub = nlu.add_subparsers(dest="nlu_command", required=True)
    validate = sub.add_parser("validate", help="check nlu_data/ for errors")
    validate.add_argument("--min-examples", type=int, default=None,
                          help="fewest examples per phan_anh__* intent (default 40)")
    train = sub.add_parser("train", help="train a model (skips when the data is unchanged)")
    train.add_argument("--backend", choices=("builtin", "rasa"), default=None)
    train.add_argument("--force", action="store_true")
    train.add_argument("--no-activate", action="store_true")
    train.add_argument("--no-eval", action="store_true", help="skip the held-out metrics")
    evaluate = sub.add_parser("evaluate", help="cross-validation + held-out scores, reports")
    evaluate.add_argument("--backend", choices=("builtin", "rasa", "both"), default="builtin")
    evaluate.add_argument("--folds", type=int, default=5, help="0 skips cross-validation")
    evaluate.add_argument("--heldout", type=Path, default=HELDOUT)
    evaluate.add_argument("--threshold", type=float, default=None)
    evaluate.add_argument("--contacts-heldout", type=Path, default=CONTACTS_HELDOUT,
                          help="held-out messages of the contact-details extractor")
    sub.add_parser("versions", help="list trained models")
    activate = sub.add_parser("activate", help="make a version the active model")
    activate.add_argument("version")
    sub.add_parser("rollback", help="re-activate the previously active version")
    sub.add_parser("classify", help="same as `python -m bot classify`")
    export = sub.add_parser("export", help="write the training data kept in the database as files")
    export.add_argument("directory", nargs="?", help="default: nlu.data_dir (the seed)")
    from bot.nlu_review_cli import add_review_commands
    add_review_commands(sub)


def run_nlu_command(args: argparse.Namespace, settings: Settings) -> int:
    nlu = settings.nlu
    data_dir = Path(nlu.data_dir)
    store = ModelStore(Path(nlu.models_dir))
    command = args.nlu_command
    if command == "validate":
        from nlu.training.validate import MIN_PAKN_EXAMPLES, validate
        problems = validate(data_dir, Path(settings.catalogue_dir),
                            getattr(args, "min_examples", None) or MIN_PAKN_EXAMPLES)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {data_dir}")
        return 1 if problems else 0
    if command == "train":
        return _train(args, settings, store)
    if command == "evaluate":
        return _evaluate(args, settings, store)
    if command == "versions":
        active = store.active_version()
        for meta in store.versions():
            metrics = meta.get("metrics", {}).get("heldout", {}).get("accented", {})
            figures = " ".join(f"{k}={v:.3f}" for k, v in metrics.items())
            print(f"{'*' if meta['version'] == active else ' '} {meta['version']}  "
                  f"{meta['backend']:8s} {meta.get('examples', 0):5d} examples  {figures}")
        return 0
    if command == "activate":
        try:
            store.activate(args.version)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"active model {args.version}")
        return 0
    if command == "rollback":
        try:
            print(f"active model {store.rollback()}")
        except ValueError as error:
            print(error, file=sys.stderr)
            return 1
        return 0
    if command == "review":
        from bot.nlu_review_cli import run_review_command
        return run_review_command(args, settings)
    if command == "export":
        from bot.setup import export_documents
        return export_documents(settings, "nlu", Path(args.directory or nlu.data_dir))
    if command == "classify":
        from nlu.classify import classify_stream, service_from_settings
        classify_stream(service_from_settings(settings), sys.stdin, sys.stdout)
        return 0
    return 2


def _train(args: argparse.Namespace, settings: Settings, store: ModelStore) -> int:
    nlu = settings.nlu
    data_dir = Path(nlu.data_dir)
    backend = args.backend or nlu.backend
    if backend == "rasa":
        try:
            version, trained = store.train_rasa(data_dir, Path(nlu.rasa.venv), force=args.force,
                                                timeout=nlu.rasa.train_timeout_seconds)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
    else:
        version, trained = store.train_builtin(data_dir, force=args.force)
    if trained and not args.no_eval and HELDOUT.exists():
        from nlu.training.report import metrics_for_metadata
        result = _evaluate_one(backend, settings, store, folds=0, heldout=HELDOUT,
                               threshold=nlu.threshold, version=version)
        store.set_metrics(version, metrics_for_metadata(result))
        print(json.dumps(store.metadata(version)["metrics"], indent=1))
    if not args.no_activate:
        store.activate(version)
    print(f"{'trained' if trained else 'unchanged data, kept'} {backend} model {version}")
    return 0


def _evaluate(args: argparse.Namespace, settings: Settings, store: ModelStore) -> int:
    from nlu.training.report import print_report, write_reports

    threshold = args.threshold if args.threshold is not None else settings.nlu.threshold
    backends = ("builtin", "rasa") if args.backend == "both" else (args.backend,)
    results = []
    for backend in backends:
        try:
            results.append(_evaluate_one(backend, settings, store, args.folds, args.heldout, threshold))
        except RuntimeError as error:  # Rasa not installed or failed: report, keep the others
            print(f"{backend}: {error}", file=sys.stderr)
    if not results:
        return 1
    print_report(results, sys.stdout)
    _evaluate_contacts(settings, store, args.contacts_heldout)
    path = write_reports(results, Path(settings.nlu.models_dir).parent / "reports")
    print(f"\nreport {path}")
    return 0


def _evaluate_contacts(settings: Settings, store: ModelStore, heldout: Path) -> None:
    """Field-level scores of the contact tagger trained with the built-in model on this data."""
    from nlu.contact_data import load_heldout
    from nlu.training.contact_eval import evaluate, print_contacts_report

    if not heldout.exists():
        print(f"contacts: no held-out file {heldout}", file=sys.stderr)
        return
    version, _ = store.train_builtin(Path(settings.nlu.data_dir))
    extractor = store.load_contacts(version)
    if extractor is None:
        print(f"contacts: model {version} has no contact tagger", file=sys.stderr)
        return
    print_contacts_report(evaluate(extractor, load_heldout(heldout)), sys.stdout)


def _evaluate_one(backend: str, settings: Settings, store: ModelStore, folds: int,
                  heldout: Path, threshold: float, version: str | None = None) -> dict[str, Any]:
    from nlu.entities import EntityExtractor
    from nlu.training.evaluate import Labeller
    from nlu.training.report import evaluate_backend
    from storage.catalogue_files import load_catalogue, load_ward_aliases

    nlu = settings.nlu
    data_dir = Path(nlu.data_dir)
    catalogue_dir = Path(settings.catalogue_dir)
    catalogue = load_catalogue(catalogue_dir)
    labeller = Labeller(catalogue, EntityExtractor(catalogue, load_ward_aliases(catalogue_dir)), threshold)
    if backend == "builtin":
        from nlu.builtin import BuiltinModel
        version = version or store.train_builtin(data_dir)[0]
        return evaluate_backend("builtin", data_dir, heldout, labeller, folds, BuiltinModel.train,
                                store.load_builtin(version))
    from nlu.factory import RasaFoldModel, rasa_trainer
    from nlu.rasa import RasaServer
    venv = Path(nlu.rasa.venv)
    version = version or store.train_rasa(data_dir, venv, timeout=nlu.rasa.train_timeout_seconds)[0]
    server = RasaServer(store.rasa_model_path(version), venv=venv).start()
    model = RasaFoldModel(server, nlu.rasa.timeout_seconds * 5)
    try:
        server.wait_ready()
        return evaluate_backend("rasa", data_dir, heldout, labeller, folds,
                                rasa_trainer(data_dir / "config.yml", venv), model)
    finally:
        model.close()
