"""Strata as a downstream developer installs it: a wheel, a fresh venv, a separate project.

One test, in steps that build on each other (a venv takes a while to fill):

1. Strata alone (no pytest-qt): a project that does not use the fixture runs as if Strata
   were not installed: the plugin loads without importing Qt or the editor.
2. The same venv, a test that asks for `strata_window`: it fails with one line saying to
   install `strata[testing]`; the run does not break ("Error while loading plugin").
3. `strata[testing]` installed: tests/downstream (its own conftest and pytest.ini, only
   the documented API, Strata's sample files from the package) passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOWNSTREAM = ROOT / "tests" / "downstream"
#: What a wheel is built from (a copy: building in the checkout would leave build/ there).
SOURCES = ("pyproject.toml", "README.md", "editor", "resources")
INSTALL_TIMEOUT = 900
RUN_TIMEOUT = 300

LAZY_PROJECT = """
import sys

def test_nothing_of_strata_is_loaded(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("strata")
    assert not [m for m in sys.modules if m.startswith(("PySide6", "pytestqt"))]
    assert not [m for m in sys.modules if m.startswith("editor.") and m != "editor.pytest_plugin"]
"""

NEEDS_QT_PROJECT = """
def test_uses_the_fixture(strata_window):
    strata_window()
"""


Done = subprocess.CompletedProcess[str]


def _run(cmd: list[str | Path], cwd: Path, timeout: float = RUN_TIMEOUT) -> Done:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)  # fmt: skip


def _ok(result: Done) -> str:
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


def _wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, src / name)
    dist = tmp / "dist"
    _ok(_run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src], tmp,
             INSTALL_TIMEOUT))  # fmt: skip
    [wheel] = dist.glob("strata-*.whl")
    return wheel


def _project(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_a_downstream_project_on_a_non_editable_install(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path)
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _ok(_run([*pip, wheel, "pytest>=8"], tmp_path, INSTALL_TIMEOUT))
    no_qt = _run([python, "-c", "import pytestqt"], tmp_path)
    assert no_qt.returncode != 0, "pytest-qt must not come with Strata itself"

    # 1. Without pytest-qt, a project that does not use the fixture: untouched.
    lazy = _project(tmp_path / "lazy", {"test_lazy.py": LAZY_PROJECT})
    out = _ok(_run([python, "-m", "pytest", "-q"], lazy))
    assert "1 passed" in out

    # 2. Without pytest-qt, a test that uses the fixture: one clear line, no broken run.
    needs = _project(tmp_path / "needs", {"test_needs.py": NEEDS_QT_PROJECT})
    result = _run([python, "-m", "pytest", "-q"], needs)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "strata_window needs pytest-qt" in result.stdout
    assert "pip install 'strata[testing]'" in result.stdout
    assert "Error while loading plugin" not in result.stdout + result.stderr

    # 3. With strata[testing]: the downstream project passes, from a folder of its own.
    _ok(_run([*pip, f"{wheel}[testing]"], tmp_path, INSTALL_TIMEOUT))
    project = tmp_path / "downstream"
    shutil.copytree(DOWNSTREAM, project, ignore=shutil.ignore_patterns("__pycache__"))
    out = _ok(_run([python, "-m", "pytest", "-q"], project))
    assert " passed" in out and "failed" not in out and "error" not in out
    # The editor was imported from the venv, not from this checkout.
    where = _ok(_run([python, "-c", "import editor; print(editor.__file__)"], project))
    assert str(env) in where
