"""The simulation: parameters, state, the daily processes and their compiled passes, ties,
cascades, metrics, one run's scenario and outputs, and the plain-Mesa reference.

Numba's on-disk cache of a compiled function is invalidated only when *its own* source file
changes, yet a compiled pass (``passes.py``) carries the rules of ``processes.py`` compiled
into it: edit a rule and the pass would keep running the old one. So the cache lives in a
folder named after a digest of every source file of the model: any edit compiles afresh, and
the same sources always find their cache. (Code above the model that compiles the model's
rules into its own functions, like ``experiments/granovetter.py``, does not cache them.)
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba


def _compiled_sources_digest() -> str:
    here = Path(__file__).resolve().parent
    sources = sorted(here.glob("*.py"))
    digest = hashlib.sha256()
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


if not os.environ.get("NUMBA_CACHE_DIR"):  # a cache folder chosen by the user wins
    _base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "unit-morale" / "numba"
    numba.config.CACHE_DIR = str(_base / _compiled_sources_digest())
