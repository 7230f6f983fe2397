"""The positions of a version derived from the one before: layers over that version's positions.

A version made by replacing list items (:mod:`onnxtext.core.derive`) does not rewrite the positions
of the text outside them: :class:`Shifted` answers from the version before's, moving the lines below
each replaced item by the number of lines its edit added, and from the items' own new positions
inside them.  Nothing is copied per edit; :class:`LineTable` answers "what starts on this line" for
such positions without building a table per version.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from onnxtext.base.paths import Path

Position = tuple[int, int]
DEPTH = 64  # edits layered before the positions are read again (when idle): a lookup walks each layer


@dataclasses.dataclass(frozen=True)
class Layer:
    """One edit: item ``at`` of the list at ``items`` became ``count`` items (their positions, absolute,
    in ``inside``); ``after`` is the item's last old line, ``delta`` the lines the edit added."""

    items: Path
    at: int
    count: int
    inside: dict[Path, Position]
    after: int
    delta: int

    def older(self, path: Path) -> Path | None:
        """``path`` as the version before this edit wrote it; None for a path in the new items."""
        size = len(self.items)
        if len(path) <= size or path[:size] != self.items:
            return path
        index = path[size]
        if index < self.at + self.count:
            return path if index < self.at else None
        return (*self.items, index - self.count + 1, *path[size + 1 :])

    def newer(self, path: Path) -> Path | None:
        """``path`` of the version before as this edit writes it; None for a path in the replaced item."""
        size = len(self.items)
        if len(path) <= size or path[:size] != self.items or path[size] < self.at:
            return path
        index = path[size]
        if index == self.at:
            return None
        return (*self.items, index + self.count - 1, *path[size + 1 :])


class Shifted(Mapping[Path, Position]):
    """Positions of a version made by replacing items, one :class:`Layer` per edit over a base dict.

    A path under a layer's item is answered by the newest such layer, otherwise by the base; then
    every newer layer moves it down by its ``delta`` when it is below that layer's item.  Nothing
    is copied per edit; once the layers pile up (:attr:`deep`) the positions are read again.
    """

    def __init__(
        self, base: Mapping[Path, Position], layers: tuple[Layer, ...], shared: dict[str, Any] | None = None
    ) -> None:
        self.base = base
        self.layers = layers
        self.shared = shared if shared is not None else {}  # what is built once per base (its line table)

    @classmethod
    def over(cls, positions: Mapping[Path, Position], layer: Layer) -> Shifted:
        if isinstance(positions, Shifted):
            return cls(positions.base, (*positions.layers, layer), positions.shared)
        return cls(positions, (layer,))

    def __getitem__(self, path: Path) -> Position:
        layers = self.layers
        newer = 0
        for j in range(len(layers) - 1, -1, -1):
            older = layers[j].older(path)
            if older is None:
                line, col = layers[j].inside[path]
                newer = j + 1
                break
            path = older
        else:
            line, col = self.base[path]
        for layer in layers[newer:]:
            if line > layer.after:
                line += layer.delta
        return line, col

    def __contains__(self, path: object) -> bool:
        try:
            self[path]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    def __iter__(self) -> Iterator[Path]:
        layers = self.layers
        for j, layer in enumerate(layers):
            yield from _forward(layer.inside, layers[j + 1 :])
        yield from _forward(self.base, layers)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @property
    def deep(self) -> bool:
        """Whether enough layers have piled up to read the positions again."""
        return len(self.layers) >= DEPTH


def _forward(paths: Iterable[Path], layers: Sequence[Layer]) -> Iterator[Path]:
    """``paths`` as the newest of ``layers`` writes them, less those a layer replaced."""
    for path in paths:
        moved: Path | None = path
        for layer in layers:
            moved = layer.newer(moved)
            if moved is None:
                break
        if moved is not None:
            yield moved


class LineTable:
    """Line -> the paths of the elements starting on it (what "the element under the cursor" looks in).

    For positions made of :class:`Shifted` layers, the base's table is built once and shared; each
    layer maps its items' new lines to their own table and moves the lines below them back to the
    previous version's numbers; the paths found are then written as the newest version does.
    """

    def __init__(self, base: dict[int, list[Path]], layers: list[tuple[Layer, int, dict[int, list[Path]]]]):
        self.base = base
        self.layers = layers  # (layer, its first line, its items' table), oldest first

    @classmethod
    def of(cls, positions: Mapping[Path, Position]) -> LineTable:
        if not isinstance(positions, Shifted):
            return cls(_by_line(positions), [])
        if "lines" not in positions.shared:
            positions.shared["lines"] = _by_line(positions.base)
        layers = [
            (layer, layer.inside[(*layer.items, layer.at)][0], _by_line(layer.inside))
            for layer in positions.layers
        ]
        return cls(positions.shared["lines"], layers)

    def get(self, line: int) -> list[Path]:
        for j in range(len(self.layers) - 1, -1, -1):
            layer, first, table = self.layers[j]
            if line > layer.after + layer.delta:
                line -= layer.delta
            elif line >= first:
                return list(_forward(table.get(line, []), [entry[0] for entry in self.layers[j + 1 :]]))
        return list(_forward(self.base.get(line, []), [entry[0] for entry in self.layers]))


def _by_line(positions: Mapping[Path, Position]) -> dict[int, list[Path]]:
    table: dict[int, list[Path]] = {}
    for path, (line, _) in positions.items():
        table.setdefault(line, []).append(path)
    return table
