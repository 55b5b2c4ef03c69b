"""Sample drawings, installed with Strata: `path("shapes.strata")` for tests and demos.

from editor.samples import path

def test_open_a_sample(strata_window):
    window = strata_window(path("shapes.strata"))
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

__all__ = ["names", "path"]


def names() -> list[str]:
    """The sample files' names: ["shapes.strata", "welcome.strata"]."""
    return sorted(p.name for p in files(__name__).iterdir() if p.name.endswith(".strata"))


def path(name: str) -> Path:
    """The path of a sample drawing (a file on disk: installed packages are folders)."""
    if name not in names():
        raise FileNotFoundError(f"no sample called {name!r}; samples: {', '.join(names())}")
    with as_file(files(__name__) / name) as real:
        return Path(real)
