"""``python -m adapter.cli``: the same as the ``sstr-adapter`` command."""

from __future__ import annotations

import sys

from adapter.cli import main

sys.exit(main())
