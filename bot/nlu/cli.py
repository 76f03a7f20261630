"""`python -m bot nlu validate|train|classify` (evaluate and model management build on these)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.nlu.models import ModelStore


def add_nlu_commands(commands: Any) -> None:
    nlu = commands.add_parser("nlu", help="NLU training data and models")
    sub = nlu.add_subparsers(dest="nlu_command", required=True)
    sub.add_parser("validate", help="check nlu_data/ for errors")
    train = sub.add_parser("train", help="train a model (skips when the data is unchanged)")
    train.add_argument("--backend", choices=("builtin", "rasa"), default=None)
    train.add_argument("--force", action="store_true")
    train.add_argument("--no-activate", action="store_true")
    sub.add_parser("classify", help="same as `python -m bot classify`")


def run_nlu_command(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    data_dir = Path(settings["nlu"]["data_dir"])
    if args.nlu_command == "validate":
        from bot.nlu.validate import validate
        problems = validate(data_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {data_dir}")
        return 1 if problems else 0
    if args.nlu_command == "train":
        store = ModelStore(Path(settings["nlu"]["models_dir"]))
        version, trained = store.train_builtin(data_dir, force=args.force)
        if not args.no_activate:
            store.activate(version)
        print(f"{'trained' if trained else 'unchanged data, kept'} model {version}")
        return 0
    if args.nlu_command == "classify":
        from bot.cli import cmd_classify
        return cmd_classify(args, settings)
    return 2
