"""Document tree <-> YAML/JSON text.  Knows nothing about ONNX.

The document tree is plain data: dicts with str keys, lists, str, int, float (nan, inf and -0.0
included), bool and None.  :func:`emit` writes canonical text, :func:`parse` reads text back
(``parse(emit(tree)) == tree``, except that JSON writes non-finite floats as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"``), and :func:`locate` maps every element's path to its
``(line, col)``, for error reports.  :func:`parse_commented` also gives the comments of a YAML text,
each with the element it annotates.  ``parse``, ``parse_commented`` and ``locate`` raise only
:class:`~onnxtext.base.errors.OnnxTextError` (``E101`` syntax, ``E102`` duplicate key).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any, Literal

from onnxtext.base.collector import gc_paused
from onnxtext.base.paths import Path
from onnxtext.text.shape import NotPlainData, explain

if TYPE_CHECKING:
    from onnxtext.text.comments import Comment

Format = Literal["yaml", "json"]

_BY_SUFFIX: dict[str, Format] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
# "module:function" under onnxtext.text, imported on first use: a dump never loads ruamel's parser, a
# JSON build no writer (the YAML writer's Unicode classes take a while to compile)
_EMITTERS = {"yaml": "yaml_emit:emit_yaml", "json": "json_emit:emit_json"}
_PARSERS = {"yaml": "yaml_parse:parse_yaml", "json": "json_parse:parse_json"}
_LOCATORS = {"yaml": "yaml_parse:locate_yaml", "json": "json_parse:locate_json"}


def format_for(filename: str) -> Format:
    """The text format a file name asks for, by its suffix (any case): .yaml/.yml or .json.

    Raises ValueError otherwise; the CLI reports it as a usage error.
    """
    suffix = os.path.splitext(filename)[1].lower()
    if suffix not in _BY_SUFFIX:
        raise ValueError(f"cannot tell the text format of {filename!r}: name it .yaml, .yml or .json")
    return _BY_SUFFIX[suffix]


def emit(tree: Any, fmt: Format) -> str:
    """The canonical text of ``tree``, ending with a newline; the same tree always gives the same text.

    Raises TypeError naming the path of a value that is not plain data, ValueError for a string
    holding a lone surrogate (not Unicode text; neither format can carry it exactly).
    """
    try:
        return _pick(_EMITTERS, fmt)(tree)
    except NotPlainData:
        raise TypeError(f"cannot write the document: {explain(tree)}") from None


def parse(text: str, fmt: Format, canonical: bool = True) -> Any:
    """The tree of ``text``; raises OnnxTextError E101 (with line/col when known) or E102 (with path).

    ``canonical=False``: YAML text is not tried in the emitter's layout first (a caller that knows
    it has an error gets it sooner; the result is the same).
    """
    parser = _pick(_PARSERS, fmt)
    with gc_paused():
        return parser(text) if canonical or fmt != "yaml" else parser(text, canonical=False)


def parse_commented(text: str, fmt: Format) -> tuple[Any, list[Comment]]:
    """The tree of ``text`` and its comments in order (none in JSON), read in one walk; raises as
    :func:`parse` does.  Each :class:`~onnxtext.text.comments.Comment` names the element it annotates."""
    if fmt == "json":
        return parse(text, fmt), []
    from onnxtext.text.comments import parse_commented_yaml  # the YAML reader, loaded on first use

    with gc_paused():
        return parse_commented_yaml(text)


def scan_comments(text: str) -> list[Comment]:
    """The comments of a YAML text in order, without the elements they annotate (cheaper than
    :func:`parse_commented` when only the comments count); raises as :func:`parse` does."""
    from onnxtext.text.comments import scan_yaml_comments

    with gc_paused():
        return scan_yaml_comments(text)


def locate(
    text: str, fmt: Format, ends: dict[Path, tuple[int, int]] | None = None
) -> dict[Path, tuple[int, int]]:
    """Every element's path -> (line, col), 1-based: a mapping entry's key, a list item's start, root (1, 1).

    ``ends`` (optional) receives path -> where the element's value ends (exclusive).  Slower than
    :func:`parse` (for error reports only) but linear; raises as :func:`parse` does.
    """
    locator = _pick(_LOCATORS, fmt)
    with gc_paused():
        return locator(text, ends)


def _pick(table: dict[str, Any], fmt: str) -> Any:
    if fmt not in table:
        raise ValueError(f"unknown text format {fmt!r}: use 'yaml' or 'json'")
    entry = table[fmt]
    if isinstance(entry, str):
        module, name = entry.split(":")
        entry = getattr(importlib.import_module(f"onnxtext.text.{module}"), name)
    return entry


__all__ = ["Format", "emit", "format_for", "locate", "parse", "parse_commented", "scan_comments"]
