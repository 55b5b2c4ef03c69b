"""The downstream project's own conftest: headless Qt, and nothing else from Strata's."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
