"""`onestop nlu train`: train the Rasa model unless its inputs are unchanged."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

from nlu.rasa_env import (
    CONFIG_PATH,
    DATA_DIR,
    FINGERPRINT_PATH,
    HELDOUT_DIR,
    MODEL_PATH,
    MODELS_DIR,
    NLU_DIR,
    RASA_VENV,
    rasa_environment,
    rasa_executable,
)

log = logging.getLogger(__name__)


REPORTS_DIR = NLU_DIR / "reports"


def fingerprint(config: Path = CONFIG_PATH, data: Path = DATA_DIR) -> str:
    """A digest of everything the model depends on: config, data, our tokenizer, Rasa's version."""
    digest = hashlib.sha256()
    inputs = [config, NLU_DIR / "tokenizer.py", *sorted(data.rglob("*.yml"))]
    for path in inputs:
        digest.update(str(path.relative_to(NLU_DIR)).encode())
        digest.update(path.read_bytes())
    version_file = next(RASA_VENV.glob("lib/python*/site-packages/rasa/version.py"), None)
    if version_file is not None:
        digest.update(version_file.read_bytes())
    return digest.hexdigest()


def _fingerprint_file(model: Path) -> Path:
    return FINGERPRINT_PATH if model == MODEL_PATH else model.with_suffix(".fingerprint")


def is_up_to_date(config: Path = CONFIG_PATH, model: Path = MODEL_PATH) -> bool:
    stamp = _fingerprint_file(model)
    return model.exists() and stamp.exists() and stamp.read_text().strip() == fingerprint(config)


def train(*, force: bool = False, config: Path = CONFIG_PATH, out: Path = MODEL_PATH) -> bool:
    """Train into `out`; returns False when the fingerprint shows nothing changed."""
    if not force and is_up_to_date(config, out):
        log.info("NLU model %s is up to date (fingerprint unchanged); not retraining", out.name)
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(rasa_executable()), "train", "nlu",
        "--config", str(config), "--nlu", str(DATA_DIR),
        "--out", str(out.parent), "--fixed-model-name", out.name.removesuffix(".tar.gz"),
    ]  # fmt: skip
    started = time.monotonic()
    subprocess.run(command, check=True, env=rasa_environment(), cwd=MODELS_DIR.parent)
    seconds = time.monotonic() - started
    log.info("trained %s in %.0f s", out.name, seconds)
    out.with_suffix(".seconds").write_text(f"{seconds:.1f}\n")
    _fingerprint_file(out).write_text(fingerprint(config) + "\n")
    return True


def comparison_configs() -> dict[str, Path]:
    """The other pipelines kept for comparison: `nlu/config-<name>.yml`."""
    return {
        path.stem.removeprefix("config-"): path for path in sorted(NLU_DIR.glob("config-*.yml"))
    }


def evaluate(*, threshold: float, compare: bool = True, cross_validation: bool = False) -> None:
    """Train what is missing, score every pipeline on the held-out set, write the report."""
    models = {"diet": MODEL_PATH}
    train(config=CONFIG_PATH, out=MODEL_PATH)
    if compare:
        for name, config in comparison_configs().items():
            models[name] = MODELS_DIR / f"compare-{name}.tar.gz"
            train(config=config, out=models[name])
    seconds = {}
    for name, model in models.items():
        timing = model.with_suffix(".seconds")
        if timing.exists():
            seconds[name] = float(timing.read_text())
    python = rasa_executable().with_name("python")
    command = [str(python), "-W", "ignore", "-m", "nlu.evaluation"]
    for name, model in models.items():
        command += ["--model", f"{name}={model}"]
    command += [
        "--heldout", str(HELDOUT_DIR), "--report", str(REPORTS_DIR / "evaluation.md"),
        "--threshold", str(threshold), "--train-seconds", json.dumps(seconds),
    ]  # fmt: skip
    subprocess.run(command, check=True, env=rasa_environment(), cwd=MODELS_DIR.parent)
    if cross_validation:
        subprocess.run(
            [
                str(rasa_executable()),
                "test",
                "nlu",
                "--nlu",
                str(DATA_DIR),
                "--config",
                str(CONFIG_PATH),
                "--cross-validation",
                "--folds",
                "3",
                "--out",
                str(REPORTS_DIR / "cross-validation"),
            ],
            check=True,
            env=rasa_environment(),
            cwd=MODELS_DIR.parent,
            stdout=sys.stderr,
        )


def serve_command(port: int = 5005, host: str = "127.0.0.1") -> list[str]:
    """The command line of the Rasa NLU HTTP service."""
    return [
        str(rasa_executable()), "run", "--enable-api",
        "--model", str(MODEL_PATH), "--port", str(port), "--interface", host,
    ]  # fmt: skip
