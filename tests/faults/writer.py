"""The kill test's child: saves two documents in turn until it is killed. No Qt.

    python writer.py TARGET FIRST [COUNT]

Builds documents A and B (`documents()`, 2,000 shapes each), saves document FIRST (0 = A,
1 = B) once, prints "ready", then keeps saving the other one, then FIRST again, and so on,
printing "saved N" after each save. With COUNT it stops after COUNT saves in the loop and
exits 0; without it, it runs until it is killed.

Every save goes through `editor.io.format.save` (the chunked encoder and
`editor.io.atomic.write_atomic`), exactly the path a SaveJob takes minus the queue.
The one save before "ready" means the kill always lands in the loop, and that the
previous child's leftovers have already been seen by one complete save.
"""

from __future__ import annotations

import random
import sys

from editor.io.format import save
from editor.model import Page, Shape, Snapshot, ellipse, line, rect, text

SHAPES = 2000
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


def _shape(rng: random.Random, n: int) -> Shape:
    x, y = rng.uniform(0, 1900), rng.uniform(0, 1900)
    w, h = rng.uniform(5, 200), rng.uniform(5, 200)
    colour = f"#{rng.randrange(0x1000000):06x}"
    kind = n % 4
    if kind == 0:
        return rect(f"s{n}", x, y, w, h, fill=colour, rotation=rng.choice([0.0, 15.0]))
    if kind == 1:
        return ellipse(f"s{n}", x, y, w, h, fill=colour, stroke=None)
    if kind == 2:
        return line(f"s{n}", x, y, x + w, y + h, stroke=colour, stroke_width=3)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 12)))
    return text(f"s{n}", x, y, w, h, words, color=colour)


def document(seed: int, shapes: int = SHAPES) -> Snapshot:
    """A realistic drawing: a quarter each of rects, ellipses, lines and text boxes."""
    rng = random.Random(seed)
    return Snapshot(Page(2000, 2000, "#ffffff"), tuple(_shape(rng, n) for n in range(shapes)))


def documents() -> tuple[Snapshot, Snapshot]:
    """Documents A and B: the same ids, different geometry, styles and text."""
    return document(1), document(2)


def main(argv: list[str]) -> int:
    target, first = argv[0], int(argv[1])
    count = int(argv[2]) if len(argv) > 2 else None
    docs = documents()
    save(target, docs[first])
    print("ready", flush=True)
    n = 0
    while count is None or n < count:
        n += 1
        save(target, docs[(first + n) % 2])
        print(f"saved {n}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
