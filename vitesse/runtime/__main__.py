"""Start the sync runtime: `python -m vitesse.runtime --config PATH --host H --port N`."""

from __future__ import annotations

import sys

from vitesse.runtime.cli import main

if __name__ == "__main__":
    sys.exit(main())
