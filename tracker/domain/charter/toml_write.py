"""A small TOML writer for the catalog (strings, ints, bools, dates, lists of strings).

We write TOML by hand rather than add a dependency: the catalog uses a handful of value
types, and writing it ourselves keeps the layout (key order, comments) human-friendly.
"""

from __future__ import annotations

from datetime import date

Value = str | int | bool | date | list[str] | None

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b",
            "\f": "\\f"}


def toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_string(v) for v in value) + "]"
    if isinstance(value, str):
        return toml_string(value)
    raise TypeError(f"cannot write {value!r} as TOML")


def toml_pairs(pairs: list[tuple[str, Value]]) -> list[str]:
    """``key = value`` lines; None values are left out (TOML has no null)."""
    return [f"{key} = {toml_value(value)}" for key, value in pairs if value is not None]
