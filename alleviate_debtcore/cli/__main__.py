"""``python -m alleviate_debtcore.cli``: the same as the ``debtcore`` console script."""

import sys

from . import main

sys.exit(main())
