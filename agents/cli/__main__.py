"""``python -m agents.cli COMMAND ...``: the ``emo-r3`` command."""

import sys

from agents.cli import main

sys.exit(main())
