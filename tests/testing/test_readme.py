"""The README's "Testing against Strata" examples run as written, in a project of their
own (pytester, a subprocess), so the README cannot drift from the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_examples() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Testing against Strata", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README's testing section has no python examples"
    return "\n\n".join(blocks)


def test_the_readme_testing_examples_pass(pytester: pytest.Pytester) -> None:
    source = readme_examples()
    tests = len(re.findall(r"^def test_", source, flags=re.M))
    pytester.makepyfile(test_readme_examples=source)
    pytester.makeini("[pytest]\nqt_log_level_fail = WARNING\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=tests)
