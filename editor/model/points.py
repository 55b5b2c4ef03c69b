"""The points family: shapes stored as a list of [x, y] points (polygons, freehand).

Pure functions of the points, for `editor.model.kinds`: bounds, moving, scaling,
picking (inside a closed path by the even-odd rule, or near its segments), vertex edits
(insert on an edge, remove) and Ramer-Douglas-Peucker simplification of a freehand
stroke. Nothing here imports Qt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import msgspec

from editor.model.kinds import (
    MAX_COORD,
    Axis,
    _along,
    _scale,
    _shows,
    clamp,
    hit_marker,
    segment_distance,
)

Point = tuple[float, float]
Points = tuple[Point, ...]

#: The fewest and most points a polygon, polyline or freehand stroke has.
MIN_POINTS: Final = 2
MAX_POINTS: Final = 100_000


#: Bounds of recently measured point tuples, by id, with the tuple itself (so a reused
#: id never answers for another tuple). Building a canvas item asks a shape's bounds
#: three times (origin, extent, rotation) and painting it once more, and a stroke has
#: hundreds of points. Emptied when it reaches `_BOUNDS_CACHE`; each entry is one
#: tuple, stored and read whole, so threads (export workers) never see half of one.
_BOUNDS: dict[int, tuple[object, tuple[float, float, float, float]]] = {}
_BOUNDS_CACHE: Final = 200_000


def points_bounds(points: Sequence[Point]) -> tuple[float, float, float, float]:
    """(x, y, width, height) of the points."""
    entry = _BOUNDS.get(id(points))
    if entry is not None and entry[0] is points:
        return entry[1]
    xs, ys = zip(*points, strict=True)
    x, y = min(xs), min(ys)
    result = (x, y, max(xs) - x, max(ys) - y)
    if len(_BOUNDS) >= _BOUNDS_CACHE:
        _BOUNDS.clear()
    _BOUNDS[id(points)] = (points, result)
    return result


def points_centre(points: Sequence[Point]) -> Point:
    """The centre of the points' bounds (the shape's local origin)."""
    x, y, w, h = points_bounds(points)
    return x + w / 2.0, y + h / 2.0


def _clamped(points: Sequence[Point]) -> Points:
    return tuple((clamp(x), clamp(y)) for x, y in points)


class PointsGeometry:
    """A list of points: `points` (at least two), stored as [x, y] pairs."""

    name: Final[str] = "points"
    fields: Final[tuple[str, ...]] = ("points",)

    def values(self, shape: Any) -> dict[str, Any]:
        return {"points": shape.points}

    def bounds(self, shape: Any) -> tuple[float, float, float, float]:
        return points_bounds(shape.points)

    def translated(self, shape: Any, dx: float, dy: float) -> Any:
        moved = tuple((x + dx, y + dy) for x, y in shape.points)
        x, y, w, h = points_bounds(moved)
        if x < -MAX_COORD or y < -MAX_COORD or x + w > MAX_COORD or y + h > MAX_COORD:
            moved = _clamped(moved)
        return msgspec.structs.replace(shape, points=moved)

    def extent(self, shape: Any) -> tuple[float, float, float, float]:
        return points_bounds(shape.points)

    def stretched(
        self, shape: Any, axis: Axis, origin: float, old: float, size: float
    ) -> dict[str, Any]:
        if old <= 0:
            return {"points": shape.points}  # no extent along the axis: nothing to scale
        k = 0 if axis == "width" else 1
        points = []
        for p in shape.points:
            q = list(p)
            q[k] = clamp(origin + _scale(p[k] - origin, old, size))
            points.append((q[0], q[1]))
        return {"points": tuple(points)}

    def scaled(
        self, shape: Any, sx: float, ax: float, sy: float, ay: float, min_size: float
    ) -> Any:
        fx, fy = _along(sx, ax), _along(sy, ay)
        return msgspec.structs.replace(shape, points=tuple((fx(x), fy(y)) for x, y in shape.points))


POINTS: Final = PointsGeometry()


# -------------------------------------------------------------------- picking
def near_path(points: Sequence[Point], x: float, y: float, reach: float, *, closed: bool) -> bool:
    """Whether (x, y) is within `reach` of the path through the points (and back to the
    first one when `closed`)."""
    n = len(points)
    last = n if closed else n - 1
    for i in range(last):
        ax, ay = points[i]
        bx, by = points[(i + 1) % n]
        if segment_distance(x, y, ax, ay, bx, by) <= reach:
            return True
    return False


def inside(points: Sequence[Point], x: float, y: float) -> bool:
    """Whether (x, y) is inside the closed polygon by the even-odd rule (the renderer's
    fill rule, so a click picks what is painted)."""
    result = False
    n = len(points)
    jx, jy = points[-1]
    for i in range(n):
        ix, iy = points[i]
        if (iy > y) != (jy > y) and x < (jx - ix) * (y - iy) / (jy - iy) + ix:
            result = not result
        jx, jy = ix, iy
    return result


def nearest_edge(points: Sequence[Point], x: float, y: float, *, closed: bool) -> tuple[int, float]:
    """(i, distance): the edge from points[i] to the next one nearest to (x, y)."""
    n = len(points)
    best, best_d = 0, math.inf
    for i in range(n if closed else n - 1):
        ax, ay = points[i]
        bx, by = points[(i + 1) % n]
        d = segment_distance(x, y, ax, ay, bx, by)
        if d < best_d:
            best, best_d = i, d
    return best, best_d


def with_vertex(points: Points, after: int, point: Point) -> Points:
    """The points with `point` inserted after index `after` (on the edge from it)."""
    return (*points[: after + 1], point, *points[after + 1 :])


def without_vertex(points: Points, index: int) -> Points | None:
    """The points without the one at `index`; None if that leaves too few."""
    if len(points) <= MIN_POINTS:
        return None
    return points[:index] + points[index + 1 :]


# ---------------------------------------------------------------- simplifying
def simplify(points: Sequence[Point], tolerance: float) -> Points:
    """Ramer-Douglas-Peucker: the fewest of the points (first and last kept) such that
    no dropped point is farther than `tolerance` from the simplified path. Iterative,
    so a long stroke cannot exhaust the stack; repeated points are dropped first."""
    pts: list[Point] = []
    for p in points:
        if not pts or p != pts[-1]:
            pts.append(p)
    n = len(pts)
    if n <= 2:
        return tuple(pts)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        ax, ay = pts[first]
        bx, by = pts[last]
        worst, worst_d = -1, tolerance
        for i in range(first + 1, last):
            px, py = pts[i]
            d = segment_distance(px, py, ax, ay, bx, by)
            if d > worst_d:
                worst, worst_d = i, d
        if worst >= 0:
            keep[worst] = True
            stack.append((first, worst))
            stack.append((worst, last))
    return tuple(p for p, k in zip(pts, keep, strict=True) if k)


def _local(shape: Any, x: float, y: float) -> Point:
    """A point of the shape's local frame (origin at its bounds' centre) in the
    document."""
    cx, cy = points_centre(shape.points)
    return x + cx, y + cy


def hit_polygon(shape: Any, x: float, y: float, reach: float) -> bool:
    """Inside a closed polygon with a visible fill, near its outline, or (open) near the
    polyline or one of its end markers."""
    pts = shape.points
    px, py = _local(shape, x, y)
    if shape.closed:
        if _shows(shape.fill, shape.opacity) and inside(pts, px, py):
            return True
        return near_path(pts, px, py, reach, closed=True)
    if near_path(pts, px, py, reach, closed=False):
        return True
    width = shape.stroke_width
    return hit_marker(shape.start_marker, pts[0], pts[1], width, px, py, reach) or (
        hit_marker(shape.end_marker, pts[-1], pts[-2], width, px, py, reach)
    )


def hit_freehand(shape: Any, x: float, y: float, reach: float) -> bool:
    """Near the stroke (its points joined by straight segments: the smooth curve stays
    within a fraction of a pixel of them at the tolerance it was simplified with)."""
    px, py = _local(shape, x, y)
    return near_path(shape.points, px, py, reach, closed=False)
