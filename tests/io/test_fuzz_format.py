"""Mutation fuzzing of the loader against an independent oracle (tests/format_oracle.py).

For every hostile file (tests/fuzz_documents.py): `decode` returns a snapshot or raises
FormatError and nothing else; the error is one line of printable characters, of bounded
length, with the file's values escaped; and the loader accepts exactly the files the
oracle, written from docs/format.md alone, calls valid. Seeded (derandomized), 2,000
examples by default; `pytest --fuzz` runs 50,000 (bench/bench_fuzz.py prints a table).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

from editor.io.format import FormatError, decode
from tests import format_oracle
from tests.fuzz_documents import hostile_files

#: The longest FormatError text (location + message; see editor.io.format).
MAX_TEXT = 300

#: msgspec's own wording ("Expected `str | null`"), which must never reach a person.
LIBRARY_WORDS = re.compile(r"`(str|float|int|object|array|null|bool)\b|Expected `|\$\.")

EXAMPLES = 2_000
DEEP_EXAMPLES = 50_000


def check_one(data: bytes) -> bool:
    """Assert the loader's contract on one file; True if it was accepted."""
    try:
        snapshot = decode(data)
    except FormatError as exc:
        text = str(exc)
        assert text and len(text) <= MAX_TEXT, text[:400]
        assert all(ch.isprintable() for ch in text), repr(text)
        assert "Traceback" not in text and not LIBRARY_WORDS.search(text), text
        reason = _oracle_accepts(data)
        assert reason is not None, f"loader refused a valid file: {text!r}\n{data[:2000]!r}"
        return False
    reason = _oracle_accepts(data)
    assert reason is None, (
        f"loader accepted a file the documentation refuses ({reason})\n{data[:2000]!r}"
    )
    doc = format_oracle.check(data)
    assert [s.id for s in snapshot.shapes] == [s["id"] for s in doc["shapes"]]
    assert snapshot.page.background == doc["page"]["background"]
    return True


def _oracle_accepts(data: bytes) -> str | None:
    """None if the oracle accepts the file, else its reason (a non-empty string)."""
    try:
        format_oracle.check(data)
    except format_oracle.Invalid as why:
        return str(why) or "invalid"
    return None


@pytest.fixture
def examples(request: pytest.FixtureRequest) -> int:
    return DEEP_EXAMPLES if request.config.getoption("--fuzz") else EXAMPLES


def test_the_loader_agrees_with_the_documentation_on_hostile_files(examples: int) -> None:
    accepted: list[bool] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(hostile_files())
    def run(data: bytes) -> None:
        accepted.append(check_one(data))

    run()
    # The mix must exercise both sides, or the fuzzer tests nothing.
    assert len(accepted) >= examples * 0.9
    assert 0.1 < sum(accepted) / len(accepted) < 0.9, sum(accepted)
