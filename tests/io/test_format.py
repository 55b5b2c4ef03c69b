"""The .strata format: round trips, and every kind of bad file gives one located error."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from editor.io.format import (
    MAX_FILE_SIZE,
    FormatError,
    decode,
    encode,
    iter_encode,
    load,
    save,
)
from editor.model import (
    DEFAULT_PAGE,
    MARKERS,
    Document,
    Page,
    Snapshot,
    ellipse,
    freehand,
    line,
    polygon,
    rect,
    text,
)

SAMPLES = Path(__file__).resolve().parents[2] / "editor" / "samples"


def good() -> dict[str, object]:
    return {
        "format": "strata",
        "version": 1,
        "page": {"width": 800, "height": 600, "background": "#ffffff"},
        "shapes": [
            {"id": "a1", "type": "rect", "x": 10, "y": 20, "width": 100, "height": 50,
             "rotation": 0, "fill": "#ff6347", "stroke": "#000000", "stroke_width": 1,
             "opacity": 1},
            {"id": "a2", "type": "ellipse", "x": 10, "y": 20, "width": 100, "height": 50,
             "rotation": 0, "fill": None, "stroke": "#000000", "stroke_width": 1,
             "opacity": 0.5},
            {"id": "a3", "type": "line", "x1": 0, "y1": 0, "x2": 100, "y2": 80,
             "stroke": "#000000", "stroke_width": 2, "opacity": 1},
            {"id": "a4", "type": "text", "x": 10, "y": 10, "width": 200, "height": 40,
             "rotation": 0, "text": "Hello", "font_family": "DejaVu Sans", "font_size": 14,
             "color": "#000000", "fill": None, "stroke": None, "stroke_width": 0,
             "opacity": 1},
        ],
    }  # fmt: skip


def dumps(data: object) -> bytes:
    return json.dumps(data).encode()


def with_shape(n: int, **changes: object) -> bytes:
    data = good()
    shapes = data["shapes"]
    assert isinstance(shapes, list)
    shapes[n] = {**shapes[n], **changes}
    return dumps(data)


def without(n: int, field: str) -> bytes:
    data = good()
    shapes = data["shapes"]
    assert isinstance(shapes, list)
    del shapes[n][field]
    return dumps(data)


def test_the_issue_example_decodes() -> None:
    snap = decode(dumps(good()))
    assert [s.id for s in snap.shapes] == ["a1", "a2", "a3", "a4"]
    assert snap.page == Page(800, 600, "#ffffff")


def test_samples_load() -> None:
    names = sorted(p.name for p in SAMPLES.glob("*.strata"))
    assert "shapes.strata" in names
    kinds = {type(s).__name__ for s in load(SAMPLES / "shapes.strata").shapes}
    assert kinds == {"Rect", "Ellipse", "Line", "Text"}
    for name in names:
        assert load(SAMPLES / name).shapes


def test_encode_decode_round_trip() -> None:
    snap = Snapshot(
        Page(640.5, 480, "#10203040"),
        (
            rect("r", -1.5, 2.25, 3, 4, fill=None, rotation=-45),
            ellipse("e", 0, 0, 1e6, 0),
            line("l", 1, 2, 3, 4, stroke=None),
            text("t", 0, 0, 10, 10, 'quotes " and \\ and },{"type": and ünïcödé\n'),
        ),
    )
    assert decode(encode(snap)) == snap


def test_chunked_encoding_equals_whole(tmp_path: Path) -> None:
    shapes = tuple(rect(f"s{i}", i, i, 1, 1) for i in range(23))
    snap = Snapshot(DEFAULT_PAGE, shapes)
    chunks = list(iter_encode(snap, chunk=5))
    assert len(chunks) > 5
    assert decode(b"".join(chunks)) == snap
    assert decode(b"".join(iter_encode(Snapshot(DEFAULT_PAGE, ())))).shapes == ()
    saved = save(tmp_path / "x.strata", snap)
    assert load(saved) == snap
    # one shape per line keeps files diffable
    assert encode(snap).count(b"\n") >= 23


_POLYGON: dict[str, object] = {
    "id": "p1", "type": "polygon", "points": [[0, 0], [10, 0], [5, 8]], "closed": True,
    "fill": None, "stroke": "#000000", "stroke_width": 1, "opacity": 1,
}  # fmt: skip
_FREEHAND: dict[str, object] = {
    "id": "f1", "type": "freehand", "points": [[0, 0], [3, 4], [9, 2]], "stroke": "#000000",
    "stroke_width": 2, "opacity": 1,
}  # fmt: skip


def with_path(shape: dict[str, object], **changes: object) -> bytes:
    """The good document (version 2) with a polygon or freehand stroke added as
    shapes[4]."""
    data = good()
    data["version"] = 2
    shapes = data["shapes"]
    assert isinstance(shapes, list)
    shapes.append({**shape, **changes})
    return dumps(data)


_MANY = [[float(i % 500), float(i // 500)] for i in range(100_001)]

BAD_FILES: list[tuple[str, bytes, str]] = [
    ("polygon with one point", with_path(_POLYGON, points=[[1, 2]]),
     r"^shapes\[4\].points: expected at least 2 points, got fewer$"),
    ("polygon without points", with_path(_POLYGON, points=[]),
     r"^shapes\[4\].points: expected at least 2 points"),
    ("NaN point", with_path(_POLYGON, points=[[0, 0], [float("nan"), 1]]),
     r"^line 1, column \d+: NaN and Infinity are not allowed in JSON$"),
    ("infinite point", with_path(_POLYGON, points=[[0, 0], [1, 2]]).replace(b"[1, 2]",
                                                                          b"[1e999, 2]"),
     r"^shapes\[4\].points\[1\]\[0\]: number out of range$"),
    ("point out of range", with_path(_POLYGON, points=[[0, 0], [1, 3e7]]),
     r"^shapes\[4\].points\[1\]\[1\]: expected a number <= 10000000$"),
    ("too many points", with_path(_POLYGON, points=_MANY),
     r"^shapes\[4\].points: expected at most 100,000 points, got more$"),
    ("point of three numbers", with_path(_POLYGON, points=[[0, 0], [1, 2, 3]]),
     r"^shapes\[4\].points\[1\]: expected a point \[x, y\] \(two numbers\)$"),
    ("point not an array", with_path(_POLYGON, points=[[0, 0], "1,2"]),
     r"^shapes\[4\].points\[1\]: expected an array, got a string$"),
    ("points not an array", with_path(_POLYGON, points={"x": 1}),
     r"^shapes\[4\].points: expected an array, got an object$"),
    ("closed not a boolean", with_path(_POLYGON, closed="yes"),
     r"^shapes\[4\].closed: expected true or false, got a string$"),
    ("polygon without closed", with_path({k: v for k, v in _POLYGON.items() if k != "closed"}),
     r'^shapes\[4\]: missing required field "closed"$'),
    ("polygon unknown marker", with_path(_POLYGON, closed=False, end_marker="arow"),
     r"^shapes\[4\].end_marker: invalid enum value 'arow'"),
    ("freehand with one point", with_path(_FREEHAND, points=[[1, 2]]),
     r"^shapes\[4\].points: expected at least 2 points, got fewer$"),
    ("freehand NaN point", with_path(_FREEHAND, points=[[0, 0], [1, float("nan")]]),
     r"^line 1, column \d+: NaN and Infinity are not allowed in JSON$"),
    ("freehand too many points", with_path(_FREEHAND, points=_MANY),
     r"^shapes\[4\].points: expected at most 100,000 points, got more$"),

    ("empty", b"", "the file is empty"),
    ("whitespace", b" \n\t  \n", "the file contains only whitespace"),
    ("truncated", dumps(good())[:-40], r"^line 1, column \d+: unexpected end of file"),
    ("not utf-8", b'{"format": "str\xffata"}', r"^line 1, column 16: bytes that are not valid"),
    ("latin-1 text", '{"format": "é"}'.encode("latin-1"), "not valid UTF-8"),
    ("array top level", b"[1, 2]", "^top level: expected an object, got an array"),
    ("string top level", b'"strata"', "^top level: expected an object, got a string"),
    ("missing format", dumps({"version": 1, "page": {}, "shapes": []}),
     '^top level: missing required field "format"'),
    ("wrong format", dumps({**good(), "format": "svg"}), "^format: expected 'strata', got 'svg'"),
    ("format not a string", dumps({**good(), "format": 3}), "^format: expected 'strata'"),
    ("newer version", dumps({**good(), "version": 3}),
     "^version: this file was made by a newer version of Strata"),
    ("version string", dumps({**good(), "version": "1"}),
     "^version: expected an integer, got a string"),
    ("version float", dumps({**good(), "version": 1.5}), "^version: expected an integer"),
    ("version zero", dumps({**good(), "version": 0}), "^version: unsupported format version 0"),
    ("missing version", dumps({"format": "strata", "page": {}, "shapes": []}),
     '^top level: missing required field "version"'),
    ("missing shapes", dumps({"format": "strata", "version": 1, "page": {}}),
     '^top level: missing required field "shapes"'),
    ("missing page", dumps({"format": "strata", "version": 1, "shapes": []}),
     '^top level: missing required field "page"'),
    ("shapes not array", dumps({**good(), "shapes": {}}),
     "^shapes: expected an array, got an object"),
    ("page width negative", dumps({**good(), "page": {"width": -1, "height": 1,
                                                       "background": "#fff000"}}),
     r"^page.width: expected a number > 0"),
    ("missing field", without(0, "width"), '^shapes\\[0\\]: missing required field "width"'),
    ("missing id", without(2, "id"), '^shapes\\[2\\]: missing required field "id"'),
    ("missing type", without(1, "type"), '^shapes\\[1\\]: missing required field "type"'),
    ("wrong type field", with_shape(0, x="10"), r"^shapes\[0\].x: expected a number, got a string"),
    ("bool for number", with_shape(0, x=True), r"^shapes\[0\].x: expected a number, got true"),
    ("text not string", with_shape(3, text=5), r"^shapes\[3\].text: expected a string"),
    ("unknown shape type", with_shape(1, type="triangle"),
     r"^shapes\[1\].type: unknown shape type 'triangle'"),
    ("NaN", dumps(good()).replace(b'"x": 10', b'"x": NaN', 1),
     r"^line 1, column \d+: NaN and Infinity are not allowed"),
    ("Infinity", dumps(good()).replace(b'"y": 20', b'"y": -Infinity', 1),
     r"^line 1, column \d+: NaN and Infinity are not allowed"),
    ("negative width", with_shape(3, width=-5), r"^shapes\[3\].width: expected a number >= 0"),
    ("negative font size", with_shape(3, font_size=-1),
     r"^shapes\[3\].font_size: expected a number > 0"),
    ("zero font size", with_shape(3, font_size=0),
     r"^shapes\[3\].font_size: expected a number > 0"),
    ("negative stroke width", with_shape(2, stroke_width=-1),
     r"^shapes\[2\].stroke_width: expected a number >= 0"),
    ("opacity > 1", with_shape(1, opacity=1.5), r"^shapes\[1\].opacity: expected a number <= 1"),
    ("opacity < 0", with_shape(1, opacity=-0.1), r"^shapes\[1\].opacity: expected a number >= 0"),
    ("bad colour name", with_shape(0, fill="red"),
     r"""^shapes\[0\].fill: expected a colour "#rrggbb" or "#rrggbbaa", got 'red'"""),
    ("bad colour length", with_shape(0, stroke="#fff"), r"^shapes\[0\].stroke: expected a colour"),
    ("bad colour digits", with_shape(3, color="#gg0000"), r"^shapes\[3\].color: expected a colour"),
    ("null colour for text", with_shape(3, color=None),
     r"^shapes\[3\].color: expected a colour, got null"),
    ("duplicate ids", with_shape(3, id="a1"),
     r"^shapes\[3\].id: duplicate id 'a1' \(already used by shapes\[0\]\)"),
    ("empty id", with_shape(0, id=""), r"^shapes\[0\].id: expected a non-empty string"),
    ("null shape", dumps({**good(), "shapes": [None]}),
     r"^shapes\[0\]: expected an object, got null"),
    ("huge number", with_shape(0, x=1e300), r"^shapes\[0\].x: expected a number <= 10000000"),
    ("overflowing number", dumps(good()).replace(b'"x": 10', b'"x": 1e999', 1),
     r"^shapes\[0\].x: number out of range"),
    ("huge integer", dumps(good()).replace(b'"x": 10', b'"x": ' + b"9" * 400, 1),
     r"^shapes\[0\].x: "),
    ("huge version", dumps({**good(), "version": 10**40}),
     "^version: this file was made by a newer version"),
    ("deep nesting", b'{"format": "strata", "version": 1, "extra": ' + b"[" * 100_000
     + b"]" * 100_000 + b"}", "^(top level: JSON nested too deeply|line)"),
    ("deep nesting in shapes", dumps({**good(), "shapes": []}).replace(
        b'"shapes": []', b'"shapes": ' + b"[" * 50_000 + b"]" * 50_000),
     r"^(shapes(\[0\])?: expected an object, got an array|top level: JSON nested too deeply)"),
    ("trailing garbage", dumps(good()) + b" }{ junk",
     r"^line 1, column \d+: unexpected data after the end of the document"),
    ("rotation out of range", with_shape(0, rotation=720),
     r"^shapes\[0\].rotation: expected a number <= 360"),
    ("unknown marker", with_shape(2, end_marker="arow"),
     r"^shapes\[2\].end_marker: invalid enum value 'arow'"),
    ("marker not a string", with_shape(2, start_marker=3),
     r"^shapes\[2\].start_marker: expected a string, got an integer"),
    ("null marker", with_shape(2, start_marker=None),
     r"^shapes\[2\].start_marker: expected a string, got null"),
    ("hostile marker", with_shape(2, end_marker="\x1b[31m" + "x" * 5000),
     r"^shapes\[2\].end_marker: invalid enum value '\\x1b\[31mxxx"),
]  # fmt: skip


def test_polygons_and_strokes_round_trip_as_version_2() -> None:
    snapshot = decode(with_path(_POLYGON))
    assert snapshot.shapes[4] == polygon("p1", [(0, 0), (10, 0), (5, 8)], True, fill=None)
    again = encode(snapshot)
    assert decode(again) == snapshot
    assert json.loads(again)["version"] == 2
    stroke = decode(with_path(_FREEHAND))
    assert stroke.shapes[4] == freehand("f1", [(0, 0), (3, 4), (9, 2)])
    assert decode(encode(stroke)) == stroke
    assert json.loads(encode(stroke))["shapes"][4]["points"] == [[0, 0], [3, 4], [9, 2]]


def test_markers_round_trip_and_none_is_not_written() -> None:
    shapes = tuple(line(f"m{i}", 0, i, 50, i, start_marker=m, end_marker=MARKERS[-1 - i])
                   for i, m in enumerate(MARKERS))  # fmt: skip
    snapshot = Snapshot(Page(100, 100, "#ffffff"), shapes)
    data = encode(snapshot)
    assert decode(data) == snapshot
    plain = encode(Snapshot(snapshot.page, (line("p", 0, 0, 1, 1),)))
    assert b"marker" not in plain


def test_only_a_document_with_version_2_features_is_written_as_version_2() -> None:
    """Older Strata reads version 1 and ignores unknown fields: a line with a marker
    written as version 1 would lose its arrow there silently, so it says version 2."""
    page = Page(100, 100, "#ffffff")
    plain = Snapshot(page, (rect("r", 0, 0, 5, 5), line("p", 0, 0, 1, 1)))
    assert json.loads(encode(plain))["version"] == 1
    for end in ("start_marker", "end_marker"):
        arrow = Snapshot(page, (rect("r", 0, 0, 5, 5), line("a", 0, 0, 9, 9, **{end: "arrow"})))
        data = encode(arrow)
        assert json.loads(data)["version"] == 2
        assert decode(data) == arrow
    chunks = b"".join(iter_encode(Snapshot(page, (*plain.shapes,) * 3 + arrow.shapes), chunk=1))
    assert json.loads(chunks)["version"] == 2


@pytest.mark.parametrize(("case", "data", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_give_one_located_error(case: str, data: bytes, message: str) -> None:
    with pytest.raises(FormatError) as info:
        decode(data)
    text_ = str(info.value)
    assert "\n" not in text_
    assert "Traceback" not in text_
    assert re.search(message, text_), f"{case}: {text_!r}"


def test_error_location_is_multiline_aware() -> None:
    data = b'{\n  "format": "strata",\n  "version": 1,\n  "page": {} xx\n}'
    with pytest.raises(FormatError, match=r"^line 4, column 14: invalid JSON"):
        decode(data)


def test_byte_order_mark_is_accepted() -> None:
    assert len(decode(b"\xef\xbb\xbf" + dumps(good())).shapes) == 4


def test_a_file_over_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.strata"
    with big.open("wb") as f:
        f.truncate(MAX_FILE_SIZE + 1)  # sparse: reading it whole would take 200 MB
    with pytest.raises(FormatError, match=r"^file is too large \(200 MB; the limit is 200 MB\)"):
        load(big)
    small = tmp_path / "small.strata"
    small.write_bytes(dumps(good()))
    with pytest.raises(FormatError, match="too large"):
        load(small, max_size=100)


def test_paths_that_are_not_files(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="^no such file$"):
        load(tmp_path / "missing.strata")
    with pytest.raises(FormatError, match="^is a directory, not a file$"):
        load(tmp_path)
    fifo = tmp_path / "pipe.strata"
    os.mkfifo(fifo)
    with pytest.raises(FormatError, match="^is not a regular file$"):
        load(fifo)  # must not block waiting for a writer


def test_a_failed_load_leaves_the_open_document_unchanged(tmp_path: Path) -> None:
    doc = Document(shapes=[rect("keep", 1, 2, 3, 4)])
    before = doc.snapshot()
    bad = tmp_path / "bad.strata"
    for _, data, _ in BAD_FILES:
        bad.write_bytes(data)
        with pytest.raises(FormatError):
            opened = load(bad)
            doc = Document(opened.page, opened.shapes)  # only reached on success
    assert doc.snapshot() == before
