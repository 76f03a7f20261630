"""NLU benchmark: quality and speed of each available backend, in one run.

For the built-in backend and (when .venv-rasa exists) Rasa: macro-F1 for intent, procedure and
agency on the held-out set, on its diacritics-removed copy and on its rows far from any training
example, end-to-end `NluService.parse`
latency p50/p99 and parses per second, training time, and resident memory (the RSS growth of this
process for the built-in model; the Rasa server's process-group RSS from /proc).
The built-in model is trained afresh; Rasa reuses the model store's artifact for the same data
(its recorded training time is reported) because a cold `rasa train nlu` takes minutes.
"""
from __future__ import annotations

import gc
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import ROOT, load_settings
from nlu.builtin import BuiltinModel
from nlu.data import load_training_data
from nlu.entities import EntityExtractor
from nlu.models import ModelStore
from nlu.service import NluService
from nlu.training.evaluate import (
    folded_copy,
    heldout_gold,
    load_heldout,
    nearest_training_similarity,
    scores,
    summary,
)
from storage.catalogue_files import load_catalogue, load_ward_aliases

HELDOUT = ROOT / "evaluation" / "nlu_heldout.jsonl"
REALSTYLE = ROOT / "evaluation" / "nlu_realstyle.jsonl"  # issue 14: press, petition, narrative texts
FIXTURE = ROOT / "tests" / "data" / "nlu_fixture"
WARMUP = 20
# Held-out rows whose closest training example is below this similarity are "distant": the score
# on them alone shows how much of the held-out figure comes from paraphrases of the training data.
DISTANT = 0.5


def rss_kb(pid: int | str = "self") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def group_rss_kb(pgid: int) -> int:
    """RSS of every process in a process group (rasa run may fork helpers)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    total += rss_kb(entry.name)
            except (ProcessLookupError, PermissionError):
                continue
    return total


def measure(service: NluService, rows: list[dict[str, Any]], distant: list[bool],
            repeats: int = 3) -> dict[str, Any]:
    """Scores on both views (and on the rows far from any training example) plus latency of
    service.parse over all texts `repeats` times."""
    texts = [row["text"] for row in rows]
    gold = [heldout_gold(row) for row in rows]
    result: dict[str, Any] = {}
    for view, view_texts in (("accented", texts), ("folded", folded_copy(texts))):
        parsed = [service.parse(text) for text in view_texts]
        predicted = [(p.intent, p.procedure or "-", p.agency or "-") for p in parsed]
        report = scores(gold, predicted, service.catalogue)
        result[view] = summary(report)
        complaints = [i for i, g in enumerate(gold) if g[0] == "phan_anh"]
        result[view]["agency_accuracy"] = report["agency"]["accuracy"]
        result[view]["complaint_fallback"] = (sum(predicted[i][0] != "phan_anh" for i in complaints)
                                              / max(1, len(complaints)))
        if view == "accented" and any(distant):
            far = [i for i, keep in enumerate(distant) if keep]
            result["distant"] = summary(scores([gold[i] for i in far], [predicted[i] for i in far],
                                               service.catalogue))
    for text in texts[:WARMUP]:
        service.parse(text)
    seconds = []
    began = time.perf_counter()
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            service.parse(text)
            seconds.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - began
    values = np.array(seconds) * 1000
    result.update(p50_ms=float(np.percentile(values, 50)), p99_ms=float(np.percentile(values, 99)),
                  per_second=len(seconds) / elapsed)
    return result


def bench_builtin(data_root: Path, catalogue: Any, extractor: EntityExtractor, rows: list[dict[str, Any]],
                  distant: list[bool], threshold: float) -> dict[str, Any]:
    examples = load_training_data(data_root).examples
    started, cpu = time.perf_counter(), time.process_time()
    trained = BuiltinModel.train(examples)
    training, training_cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.npz"
        trained.save(path)
        del trained
        gc.collect()
        before = rss_kb()
        model = BuiltinModel.load(path)
        service = NluService(catalogue, extractor, ModelStore(Path(directory)), threshold, fallback=model)
        service.reload_if_changed = lambda force=False: None  # type: ignore[method-assign]
        result = measure(service, rows, distant)
        result["rss_mb"] = (rss_kb() - before) / 1024
        result["real"] = measure(service, load_heldout(REALSTYLE), [], repeats=1)
    result["training_s"] = training
    result["training_cpu_s"] = training_cpu
    return result


def bench_rasa(data_root: Path, catalogue: Any, extractor: EntityExtractor, rows: list[dict[str, Any]],
               distant: list[bool], threshold: float, venv: Path, store: ModelStore) -> dict[str, Any]:
    """Serve the store's Rasa model of this data (trained now if there is none: 2-30 min)."""
    from nlu.rasa import RasaServer

    version, _ = store.train_rasa(data_root, venv)
    training = float(store.metadata(version)["training_seconds"])
    with tempfile.TemporaryDirectory() as directory:
        server = RasaServer(store.rasa_model_path(version), venv=venv,
                            log_path=Path(directory) / "rasa.log").start()
        try:
            load = server.wait_ready(timeout=600)
            client = server.client(timeout=30.0)
            service = NluService(catalogue, extractor, ModelStore(Path(directory)), threshold)
            service.reload_if_changed = lambda force=False: None  # type: ignore[method-assign]
            service.use_primary(client)
            result = measure(service, rows, distant, repeats=1)
            result["real"] = measure(service, load_heldout(REALSTYLE), [], repeats=1)
            if service.degraded_reason:
                raise RuntimeError(f"Rasa failed during the benchmark: {service.degraded_reason}")
            result["rss_mb"] = group_rss_kb(server.pid or 0) / 1024
            result["load_s"] = load
            client.close()
        finally:
            server.stop()
    result["training_s"] = training
    result["version"] = version
    return result


def print_table(results: dict[str, dict[str, Any]], data_root: Path, distant: list[bool]) -> None:
    names = list(results)
    print(f"\nNLU benchmark (training data {data_root}, held-out {HELDOUT.name}: {len(distant)} rows, "
          f"{sum(distant)} with no training example at similarity >= {DISTANT})")
    print(f"{'':34s}" + "".join(f"{n:>12s}" for n in names))
    rows: list[tuple[str, Any]] = []
    for view in ("accented", "folded"):
        for label in ("intent", "procedure", "agency"):
            rows.append((f"macro-F1 {label} ({view})", lambda r, v=view, lb=label: f"{r[v][lb]:.3f}"))
    rows.append(("macro-F1 procedure (distant rows)", lambda r: f"{r['distant']['procedure']:.3f}"))
    for view in ("accented", "folded"):  # issue 14's targets, on the real-style file
        rows += [(f"real: macro-F1 procedure ({view})", lambda r, v=view: f"{r['real'][v]['procedure']:.3f}"),
                 (f"real: agency accuracy ({view})", lambda r, v=view: f"{r['real'][v]['agency_accuracy']:.3f}"),
                 (f"real: complaint fallback ({view})",
                  lambda r, v=view: f"{r['real'][v]['complaint_fallback']:.1%}")]
    rows += [("parse p50 (ms)", lambda r: f"{r['p50_ms']:.3f}"),
             ("parse p99 (ms)", lambda r: f"{r['p99_ms']:.3f}"),
             ("parses / second", lambda r: f"{r['per_second']:.0f}"),
             ("training (s)", lambda r: f"{r['training_s']:.1f}"),
             ("training CPU (s)", lambda r: f"{r.get('training_cpu_s', float('nan')):.1f}"),
             ("resident memory (MB)", lambda r: f"{r['rss_mb']:.0f}")]
    for title, cell in rows:
        print(f"{title:34s}" + "".join(f"{cell(results[n]):>12s}" for n in names))
    if "rasa" in results:
        print(f"Rasa model {results['rasa']['version']}: server ready after {results['rasa']['load_s']:.0f} s")
    if "builtin" in results and "rasa" in results:
        ratio = results["builtin"]["per_second"] / results["rasa"]["per_second"]
        print(f"builtin/Rasa speed ratio (parses per second): {ratio:.1f}x")


def run() -> dict[str, dict[str, Any]]:
    settings = load_settings()
    data_root = Path(settings.nlu.data_dir)
    if not data_root.is_dir():
        print(f"{data_root} missing: benchmarking on the small fixture {FIXTURE}")
        data_root = FIXTURE
    catalogue_dir = Path(settings.catalogue_dir)
    catalogue = load_catalogue(catalogue_dir)
    extractor = EntityExtractor(catalogue, load_ward_aliases(catalogue_dir))
    rows = load_heldout(HELDOUT)
    training = [text for text, _ in load_training_data(data_root).examples]
    distant = [bool(s < DISTANT) for s in nearest_training_similarity([r["text"] for r in rows], training)]
    threshold = settings.nlu.threshold
    results = {"builtin": bench_builtin(data_root, catalogue, extractor, rows, distant, threshold)}
    venv = Path(settings.nlu.rasa.venv)
    if (venv / "bin" / "rasa").exists() and (data_root / "config.yml").exists():
        try:
            store = ModelStore(Path(settings.nlu.models_dir))
            results["rasa"] = bench_rasa(data_root, catalogue, extractor, rows, distant, threshold, venv,
                                          store)
        except Exception as error:  # report and keep the built-in figures
            print(f"Rasa benchmark failed: {error}")
    else:
        print(f"Rasa part skipped: no {venv}/bin/rasa or no {data_root}/config.yml")
    print_table(results, data_root, distant)
    return results


if __name__ == "__main__":
    run()
