"""`onestop nlu train`: train the Rasa model unless its inputs are unchanged."""

from __future__ import annotations

import hashlib
import logging
import subprocess
from pathlib import Path

from nlu.rasa_env import (
    CONFIG_PATH,
    DATA_DIR,
    FINGERPRINT_PATH,
    MODEL_PATH,
    MODELS_DIR,
    NLU_DIR,
    RASA_VENV,
    rasa_environment,
    rasa_executable,
)

log = logging.getLogger(__name__)


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


def is_up_to_date() -> bool:
    return (
        MODEL_PATH.exists()
        and FINGERPRINT_PATH.exists()
        and FINGERPRINT_PATH.read_text().strip() == fingerprint()
    )


def train(*, force: bool = False, config: Path = CONFIG_PATH, out: Path = MODEL_PATH) -> bool:
    """Train into `out`; returns False when the fingerprint shows nothing changed."""
    if not force and out == MODEL_PATH and is_up_to_date():
        log.info("NLU model is up to date (fingerprint unchanged); not retraining")
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(rasa_executable()), "train", "nlu",
        "--config", str(config), "--nlu", str(DATA_DIR),
        "--out", str(out.parent), "--fixed-model-name", out.name.removesuffix(".tar.gz"),
    ]  # fmt: skip
    subprocess.run(command, check=True, env=rasa_environment(), cwd=MODELS_DIR.parent)
    if out == MODEL_PATH:
        FINGERPRINT_PATH.write_text(fingerprint() + "\n")
    return True


def serve_command(port: int = 5005, host: str = "127.0.0.1") -> list[str]:
    """The command line of the Rasa NLU HTTP service."""
    return [
        str(rasa_executable()), "run", "--enable-api",
        "--model", str(MODEL_PATH), "--port", str(port), "--interface", host,
    ]  # fmt: skip
