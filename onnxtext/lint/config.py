"""Lint settings from ``[tool.onnxtext.lint]`` of the nearest ``pyproject.toml``; the command line wins.

Keys (as in ruff): ``select``, ``ignore``, ``extend-select`` (lists of codes or prefixes) and
``warnings-as-errors`` (bool).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

from onnxtext.base.errors import OnnxTextError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_KEYS = ("select", "ignore", "extend-select", "warnings-as-errors")


@dataclasses.dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    warnings_as_errors: bool = False
    source: Path | None = None  # the pyproject.toml they came from


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` or a folder above it."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate / "pyproject.toml"
    return None


def load_settings(start: Path) -> Settings:
    """The settings that apply from ``start`` (defaults when no pyproject.toml says anything)."""
    path = find_pyproject(start)
    if path is None:
        return Settings()
    try:
        table: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise OnnxTextError("E502", f"cannot read {path}: {err}", hint="fix the TOML").at(str(path)) from None
    section = table.get("tool", {}).get("onnxtext", {}).get("lint", {})
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise OnnxTextError(
            "E201",
            f"unknown key {unknown[0]!r} in [tool.onnxtext.lint]",
            hint=f"keys allowed there: {', '.join(_KEYS)}",
        ).at(str(path))
    return Settings(
        select=_codes(section, "select", path),
        ignore=_codes(section, "ignore", path) or (),
        extend_select=_codes(section, "extend-select", path) or (),
        warnings_as_errors=bool(section.get("warnings-as-errors", False)),
        source=path,
    )


def _codes(section: dict[str, Any], key: str, path: Path) -> tuple[str, ...] | None:
    if key not in section:
        return None
    value = section[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OnnxTextError(
            "E202", f"[tool.onnxtext.lint] {key} must be a list of codes", hint='e.g. ["R", "N101"]'
        ).at(str(path))
    return tuple(value)
