"""Scores NLU models on the held-out set; runs in the Rasa environment (`onestop nlu evaluate`).

    python -m nlu.evaluation --model models/nlu.tar.gz [--model models/compare-logreg.tar.gz]
        --heldout nlu/tests/heldout --report nlu/reports/evaluation.md --threshold 0.5

Prints and writes: accuracy and macro-F1 per language and per intent, the most confused pairs,
out-of-scope recall and in-scope false rejections at the fallback threshold (and a sweep of
thresholds), parse speed, and a confusion-matrix picture for the first model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

OUT_OF_SCOPE = "out_of_scope"
REJECTED = "(rejected)"


def load_examples(directory: Path) -> list[tuple[str, str, str]]:
    """(language, intent, text) for every held-out example."""
    examples = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((path.stem, block["intent"], line[2:].strip()))
    return examples


async def predict(model: Path, texts: list[str]) -> tuple[list[tuple[str, float]], float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    predictions = []
    started = time.perf_counter()
    for text in texts:
        result = await agent.parse_message(text)
        intent = result.get("intent") or {}
        predictions.append((str(intent.get("name")), float(intent.get("confidence") or 0.0)))
    elapsed_ms = (time.perf_counter() - started) * 1000 / max(len(texts), 1)
    return predictions, elapsed_ms


def f1_scores(pairs: list[tuple[str, str]]) -> dict[str, float]:
    labels = sorted({t for t, _ in pairs})
    scores = {}
    for label in labels:
        tp = sum(1 for t, p in pairs if t == label and p == label)
        fp = sum(1 for t, p in pairs if t != label and p == label)
        fn = sum(1 for t, p in pairs if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    scores = f1_scores(pairs)
    return sum(scores.values()) / len(scores) if scores else 0.0


def rejection_figures(rows: list[dict[str, Any]], threshold: float) -> tuple[float, float]:
    """(out-of-scope recall, in-scope wrongly rejected) at a fallback threshold."""
    oos = [r for r in rows if r["intent"] == OUT_OF_SCOPE]
    ins = [r for r in rows if r["intent"] != OUT_OF_SCOPE]

    def rejected(r: dict[str, Any]) -> bool:
        return r["predicted"] == OUT_OF_SCOPE or r["confidence"] < threshold

    recall = sum(map(rejected, oos)) / len(oos) if oos else 0.0
    false_rejections = sum(map(rejected, ins)) / len(ins) if ins else 0.0
    return recall, false_rejections


def score(rows: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_language[row["language"]].append(row)
    languages = {}
    for language, items in sorted(by_language.items()):
        pairs = [(r["intent"], r["predicted"]) for r in items]
        recall, false_rejections = rejection_figures(items, threshold)
        languages[language] = {
            "n": len(items),
            "accuracy": sum(t == p for t, p in pairs) / len(pairs),
            "macro_f1": macro_f1(pairs),
            "oos_recall": recall,
            "in_scope_rejected": false_rejections,
        }
    pairs = [(r["intent"], r["predicted"]) for r in rows]
    recall, false_rejections = rejection_figures(rows, threshold)
    confusions = Counter((t, p) for t, p in pairs if t != p)
    return {
        "overall": {
            "n": len(rows),
            "accuracy": sum(t == p for t, p in pairs) / len(pairs),
            "macro_f1": macro_f1(pairs),
            "oos_recall": recall,
            "in_scope_rejected": false_rejections,
        },
        "languages": languages,
        "intents": f1_scores(pairs),
        "confusions": confusions.most_common(15),
        "sweep": {t: rejection_figures(rows, t) for t in (0.3, 0.4, 0.5, 0.6, 0.7)},
    }


def confusion_picture(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted({r["intent"] for r in rows} | {r["predicted"] for r in rows})
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for r in rows:
        matrix[index[r["intent"]], index[r["predicted"]]] += 1
    totals = matrix.sum(axis=1, keepdims=True)
    normalised = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    figure, axes = plt.subplots(figsize=(14, 12))
    image = axes.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title("Held-out confusion matrix (row-normalised, all languages)")
    figure.colorbar(image)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def markdown(results: dict[str, dict[str, Any]], threshold: float, picture: str) -> str:
    lines = ["# NLU evaluation on the held-out set", ""]
    lines.append(
        "Held-out examples live in `nlu/tests/heldout/` and are never trained on "
        "(a test checks the two sets share no example). Fallback threshold: "
        f"{threshold}. Written by `onestop nlu evaluate`."
    )
    lines += [
        "",
        "## Pipelines compared",
        "",
        "| model | accuracy | macro-F1 | OOS recall | "
        "in-scope rejected | parse ms/msg | training s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        o = result["score"]["overall"]
        lines.append(
            f"| {name} | {o['accuracy']:.3f} | {o['macro_f1']:.3f} | {o['oos_recall']:.3f} | "
            f"{o['in_scope_rejected']:.3f} | {result['parse_ms']:.1f} | "
            f"{result.get('train_seconds', float('nan')):.0f} |"
        )
    for name, result in results.items():
        s = result["score"]
        lines += [
            "",
            f"## {name}",
            "",
            "### Per language",
            "",
            "| language | n | accuracy | macro-F1 | OOS recall | in-scope rejected |",
            "|---|---|---|---|---|---|",
        ]
        for language, v in s["languages"].items():
            lines.append(
                f"| {language} | {v['n']} | {v['accuracy']:.3f} | {v['macro_f1']:.3f} | "
                f"{v['oos_recall']:.3f} | {v['in_scope_rejected']:.3f} |"
            )
        lines += [
            "",
            "### Fallback threshold sweep",
            "",
            "| threshold | OOS recall | in-scope rejected |",
            "|---|---|---|",
        ]
        for t, (recall, rejected) in s["sweep"].items():
            lines.append(f"| {t} | {recall:.3f} | {rejected:.3f} |")
        lines += ["", "### Most confused pairs (true -> predicted: count)", ""]
        lines += [f"- {t} -> {p}: {n}" for (t, p), n in s["confusions"]]
        lines += ["", "### Per intent (F1, all languages)", "", "| intent | F1 |", "|---|---|"]
        lines += [f"| {i} | {f:.3f} |" for i, f in sorted(s["intents"].items(), key=lambda x: x[1])]
    lines += ["", f"![confusion matrix]({picture})", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", action="append", required=True, help="name=path or path")
    parser.add_argument("--heldout", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--train-seconds", type=str, default="{}")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    train_seconds = json.loads(args.train_seconds)

    examples = load_examples(args.heldout)
    texts = [text for _, _, text in examples]
    results: dict[str, dict[str, Any]] = {}
    for spec in args.model:
        name, _, path = spec.partition("=") if "=" in spec else (Path(spec).stem, "", spec)
        predictions, parse_ms = asyncio.run(predict(Path(path), texts))
        rows = [
            {"language": lang, "intent": intent, "text": text, "predicted": p, "confidence": c}
            for (lang, intent, text), (p, c) in zip(examples, predictions, strict=False)
        ]
        results[name] = {
            "score": score(rows, args.threshold),
            "parse_ms": parse_ms,
            "rows": rows,
            "train_seconds": train_seconds.get(name, float("nan")),
        }

    args.report.parent.mkdir(parents=True, exist_ok=True)
    picture = args.report.with_name("confusion-matrix.png")
    confusion_picture(next(iter(results.values()))["rows"], picture)
    args.report.write_text(markdown(results, args.threshold, picture.name), encoding="utf-8")
    errors = args.report.with_name("heldout-errors.json")
    first = next(iter(results.values()))["rows"]
    errors.write_text(
        json.dumps(
            [r for r in first if r["intent"] != r["predicted"]], ensure_ascii=False, indent=1
        ),
        encoding="utf-8",
    )
    for name, result in results.items():
        o = result["score"]["overall"]
        print(
            f"{name}: accuracy {o['accuracy']:.3f}  macro-F1 {o['macro_f1']:.3f}  "
            f"OOS recall {o['oos_recall']:.3f}  in-scope rejected {o['in_scope_rejected']:.3f}  "
            f"parse {result['parse_ms']:.1f} ms"
        )
        for language, v in result["score"]["languages"].items():
            print(f"  {language}: accuracy {v['accuracy']:.3f}  macro-F1 {v['macro_f1']:.3f}")
    print(f"report: {args.report}")


if __name__ == "__main__":
    main()
