"""Layout shared by the YAML and JSON writers: the line width and how one-line lists wrap."""

from __future__ import annotations

WIDTH = 100


def flow_list(items: list[str], column: int, pad: str) -> str:
    """``[a, b, c]`` with its ``[`` at ``column``; past :data:`WIDTH` it breaks onto lines led by ``pad``.

    Items are packed greedily, so the same list at the same column always breaks at the same places
    (stable diffs).  An item longer than a whole line gets a line of its own and overflows it.
    """
    if column + sum(map(len, items)) + 2 * len(items) <= WIDTH:
        return "[" + ", ".join(items) + "]"
    parts = ["[", items[0]]
    end = column + 1 + len(items[0])
    for item in items[1:]:
        if end + len(item) + 3 > WIDTH:  # ", " before the item and "," or "]" after it
            parts.append(",\n" + pad)
            end = len(pad) + len(item)
        else:
            parts.append(", ")
            end += 2 + len(item)
        parts.append(item)
    parts.append("]")
    return "".join(parts)
