"""`python -m paradigm_async.cli`, the same as `paradigm`."""

import sys

from ._main import main

sys.exit(main())
