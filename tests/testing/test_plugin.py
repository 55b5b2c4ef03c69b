"""Strata's pytest plugin as a downstream project meets it: pytest in a subprocess on a
small test project with no configuration of its own (pytester), so what is checked is
the plugin's behaviour, not our pyproject's settings.

Each test here was seen failing before the plugin did what it checks (windows kept
alive by a lambda and never deleted, strict mode failing on a platform warning, process
settings left changed, a stuck job thread passing unreported).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SUBPROCESS_TIMEOUT = 120


def run(pytester: pytest.Pytester, source: str, *args: str, ini: str = "") -> pytest.RunResult:
    pytester.makepyfile(test_project=source)
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args,
                                         timeout=SUBPROCESS_TIMEOUT)  # fmt: skip


def test_a_window_kept_by_a_test_fails_that_test_and_says_why(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        KEPT = []

        def test_keeps_its_window(strata_window):
            KEPT.append(strata_window())

        def test_after_it(strata_window):
            strata_window()
    """,
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_keeps_its_window*",
                                 "*a Strata window outlived its test*"])  # fmt: skip


def test_a_top_level_widget_left_open_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from PySide6.QtWidgets import QDialog

        LEFT = []

        def test_leaves_a_dialog(strata_window):
            strata_window()
            dialog = QDialog()
            dialog.setObjectName("left_behind")
            dialog.show()
            LEFT.append(dialog)
    """,
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*a top-level QDialog 'left_behind' outlived its test*"])


def test_a_failed_test_is_not_also_reported_as_a_leak(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_fails(strata_window):
            window = strata_window()
            assert len(window.document) == 1
    """,
    )
    result.assert_outcomes(failed=1)
    assert "outlived" not in result.stdout.str()


def test_the_leak_check_can_be_turned_off(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        KEPT = []

        def test_keeps_its_window(strata_window):
            KEPT.append(strata_window())
    """,
        ini="strata_leak_check = false",
    )
    result.assert_outcomes(passed=1)


def test_windows_and_their_dialogs_are_gone_before_the_next_test(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import gc

        from PySide6.QtWidgets import QApplication

        from editor.testing import export
        from editor.ui.main_window import MainWindow

        def test_leaves_an_error_dialog_open(strata_window, tmp_path):
            window = strata_window()
            window.documents.export_to(tmp_path / "x.png", "png", scale=-1)  # an error box
            assert QApplication.activeModalWidget() is not None

        def test_the_next_test_starts_clean(strata_window):
            assert QApplication.activeModalWidget() is None
            assert QApplication.topLevelWidgets() == []
            gc.collect()
            assert not [o for o in gc.get_objects() if isinstance(o, MainWindow)]
    """,
    )
    result.assert_outcomes(passed=2)


def test_a_qt_warning_fails_the_test_without_any_configuration(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        from PySide6.QtCore import qWarning

        def test_warns(strata_window):
            strata_window()
            qWarning("something Strata should not do")
    """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*QtWarningMsg: something Strata should not do*"])


def test_strict_mode_can_be_relaxed_in_the_ini_file(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from PySide6.QtCore import qWarning

        def test_warns(strata_window):
            strata_window()
            qWarning("tolerated here")
    """,
        ini="strata_qt_log_level_fail = NO",
    )
    result.assert_outcomes(passed=1)


def test_the_harmless_platform_warning_does_not_fail_a_strict_suite(
    pytester: pytest.Pytester,
) -> None:
    """A downstream suite with pytest-qt's strictest useful setting and no ignores: every
    window's docks make the offscreen platform say it cannot pass size hints on."""
    result = run(
        pytester,
        """
        from editor.testing import draw_shape, set_property

        def test_draw_and_style(strata_window):
            window = strata_window()
            window.show_jobs()
            draw_shape(window, "rect", (10, 10), (110, 60))
            set_property(window, "Stroke width", 4)
    """,
        ini="qt_log_level_fail = WARNING",
    )
    result.assert_outcomes(passed=1)


def test_process_wide_settings_are_put_back(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import sys

        from PySide6.QtCore import QCoreApplication

        BEFORE = {}

        def test_before(qapp):
            BEFORE["name"] = QCoreApplication.applicationName()
            BEFORE["organization"] = QCoreApplication.organizationName()
            BEFORE["switch"] = sys.getswitchinterval()

        def test_with_a_window(strata_window):
            strata_window()
            assert QCoreApplication.applicationName() == "Strata"

        def test_after(qapp):
            assert QCoreApplication.applicationName() == BEFORE["name"]
            assert QCoreApplication.organizationName() == BEFORE["organization"]
            assert sys.getswitchinterval() == BEFORE["switch"]
    """,
    )
    result.assert_outcomes(passed=3)


def test_a_job_thread_still_running_at_teardown_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import threading

        from editor.jobs import Job

        RELEASE = threading.Event()

        class Stuck(Job[None]):
            def __init__(self):
                super().__init__("Stuck job", "test", key="stuck")

            def run(self, context):
                RELEASE.wait(20)  # never calls context.check(): cannot be cancelled

        def test_leaves_a_thread_running(strata_window):
            window = strata_window()
            window.jobs.submit(Stuck())
            window.jobs.wait_until_idle(0.2)

        def test_lets_it_go():
            RELEASE.set()
    """,
        ini="strata_shutdown_timeout = 0.3",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*a job thread was still running after the test: Stuck job*"])


def test_loading_the_plugin_imports_neither_qt_nor_the_editor() -> None:
    code = ("import sys, editor.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'pytestqt', "
            "'editor.'))))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=SUBPROCESS_TIMEOUT).stdout  # fmt: skip
    assert out.strip() == "['editor.pytest_plugin']"
