"""`python -m editor` is the `strata` command."""

import sys

from editor.cli import main

sys.exit(main())
