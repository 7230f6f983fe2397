"""Short renderings of document values for error messages (a message is one line)."""

from __future__ import annotations

_LIMIT = 40


def brief(value: object) -> str:
    """``repr(value)``, cut to a readable length; huge ints by size (their str() may be refused)."""
    if type(value) is int and value.bit_length() > 128:
        return f"<{value.bit_length()}-bit integer>"
    text = repr(value)
    return text if len(text) <= _LIMIT else text[: _LIMIT - 3] + "..."


_KINDS = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
}


def kind(value: object) -> str:
    """The document-level name of a value's type, for "expected X, got Y" messages."""
    return "null" if value is None else _KINDS.get(type(value), type(value).__name__)
