"""Commands on the page: size and background."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, cast

import msgspec

from editor.commands.base import Command, bookkeeping, register
from editor.model import DEFAULT_PAGE, Document, Page

_MERGE_PAGE = 20


@register
@dataclass(slots=True)
class SetPage(Command):
    """Set the page's width, height and/or background; fields left None are unchanged."""

    type_name: ClassVar[str] = "set_page"
    merge_id: ClassVar[int] = _MERGE_PAGE

    width: float | None = None
    height: float | None = None
    background: str | None = None
    joinable: bool = bookkeeping(True)
    _before: Page | None = field(default=None, init=False, repr=False, compare=False)
    _after: Page | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = self.values()
        if not values:
            raise ValueError("expected at least one of width, height, background")
        try:  # validate with the file format's own rules (every Page field is required)
            msgspec.convert({**msgspec.structs.asdict(DEFAULT_PAGE), **values}, Page)
        except msgspec.ValidationError as exc:
            raise ValueError(str(exc).replace(" - at `$.", " at ").rstrip("`")) from None

    def values(self) -> dict[str, object]:
        names = ("width", "height", "background")
        return {n: v for n in names if (v := getattr(self, n)) is not None}

    @property
    def text(self) -> str:
        values = self.values()
        if "background" not in values:
            return "Resize Page"
        if len(values) == 1:
            return "Change Page Background"
        return "Change Page"

    def do(self, doc: Document) -> None:
        if self._after is None:
            self._before = doc.page
            values = {
                k: v if k == "background" else float(cast(float, v))
                for k, v in self.values().items()
            }
            self._after = msgspec.structs.replace(doc.page, **values)
        if self._after != doc.page:
            doc.set_page(self._after)

    def undo(self, doc: Document) -> None:
        assert self._before is not None, "undo() before do()"
        if self._before != doc.page:
            doc.set_page(self._before)

    def is_noop(self) -> bool:
        return self._before == self._after

    def merge(self, other: Command) -> bool:
        if not (
            isinstance(other, SetPage)
            and other.joinable
            and set(other.values()) == set(self.values())
        ):
            return False
        self.width, self.height, self.background = other.width, other.height, other.background
        self._after = other._after
        return True
