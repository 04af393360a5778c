"""Shared test setup: make ``tests/`` importable (``from fixtures.tiny_models import ...``).

The repository root goes first so that ``import rewards`` finds the package, not the
``tests/rewards`` folder (which would otherwise shadow it as a namespace package when
pytest runs without the root on ``sys.path``).
"""

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent
for _path in (str(_TESTS), str(_TESTS.parent)):
    if _path in sys.path:
        sys.path.remove(_path)
    sys.path.insert(0, _path)
