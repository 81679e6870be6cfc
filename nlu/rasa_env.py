"""Running the Rasa command line of the separate Python 3.10 environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA_VENV = Path(os.environ.get("ONESTOP_RASA_VENV", ROOT / ".venv-rasa"))
MODELS_DIR = ROOT / "models"
MODEL_PATH = MODELS_DIR / "nlu.tar.gz"
FINGERPRINT_PATH = MODELS_DIR / "nlu.fingerprint"
NLU_DIR = ROOT / "nlu"
CONFIG_PATH = NLU_DIR / "config.yml"
DATA_DIR = NLU_DIR / "data"
HELDOUT_DIR = NLU_DIR / "tests" / "heldout"


def rasa_executable() -> Path:
    """The `rasa` command of the NLU environment, or exit with what to do."""
    rasa = RASA_VENV / "bin" / "rasa"
    if not rasa.exists():
        sys.exit(f"The Rasa environment is missing ({RASA_VENV}); run `make nlu-env` first.")
    return rasa


def rasa_environment() -> dict[str, str]:
    """The environment Rasa runs in: our components importable, no telemetry, quiet TF."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        TF_ENABLE_ONEDNN_OPTS="0",
        PYTHONWARNINGS="ignore",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env
