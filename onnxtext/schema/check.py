"""Validate a document tree against the schema, fast: the same rules, compiled for Python's ``jsonschema``.

An editor reads the schema as written.  Here the same rules are checked with less work: an
``allOf`` whose items are all ``if <one property> is X (or matches R) then S`` (a node's dispatch on
its domain and op_type) becomes a lookup (the ``x-onnxtext-switch`` keyword below), ``$ref``s are
followed once at compile time, scalars a subschema cannot reject are not descended into, and
``enum`` looks strings up in a set.  Descriptions are dropped.  ``findings`` turns jsonschema's
errors into one message per place, in the document's words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema import _keywords
from jsonschema.exceptions import ValidationError, best_match

from onnxtext.base.paths import Path

Schema = dict[str, Any]

_SWITCH = "x-onnxtext-switch"
# dropped for speed; defaultSnippets stay (the did-you-mean of an unknown op reads them)
_FOR_PEOPLE = frozenset({"markdownDescription", "description", "title", "markdownEnumDescriptions"})


def compiled(schema: Schema) -> jsonschema.protocols.Validator:
    """A validator equivalent to ``schema`` (see the module docstring)."""
    root = _compile(schema)
    _inline_refs(root, root.get("$defs", {}), set())
    return _Validator(root, format_checker=None)


def _inline_refs(node: Any, defs: dict[str, Any], seen: set[int]) -> None:
    """Replace each ``{"$ref": "#/$defs/X"}`` by the definition itself (shared, so cycles are fine).

    ``jsonschema`` then descends straight into it instead of resolving a reference per instance.
    """
    if id(node) in seen:
        return
    seen.add(id(node))
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for key, child in list(node.items()) if isinstance(node, dict) else enumerate(children):
        target = _ref_target(child, defs)
        if target is not None:
            node[key] = target
        _inline_refs(node[key], defs, seen)


def _ref_target(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("$ref"), str):
        name = node["$ref"].removeprefix("#/$defs/")
        return defs.get(name)
    return None


def _compile(node: Any) -> Any:
    if isinstance(node, list):
        return [_compile(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _compile(value) for key, value in node.items() if key not in _FOR_PEOPLE}
    choices = out.get("anyOf")
    if choices and all(isinstance(c, dict) and set(c) == {"const"} for c in choices):
        del out["anyOf"]
        out["enum"] = [c["const"] for c in choices]
    cases = _switch_cases(out.get("allOf"))
    if cases is not None:
        del out["allOf"]
        out[_SWITCH] = cases
    return out


def _switch_cases(items: Any) -> dict[str, Any] | None:
    """A lookup table for an ``allOf`` whose every item is ``if P is one of (X...) then S``.

    ``{"property": P, "cases": {X: [S...]}, "absent": [S...]}``: an ``if`` without ``required: [P]``
    also holds when P is absent.
    """
    if not items:
        return None
    switch: dict[str, Any] = {"property": None, "cases": {}, "patterns": [], "absent": []}
    for item in items:
        test = _one_property_test(item)
        if test is None or switch["property"] not in (None, test[0]):
            return None
        prop, values, required = test
        switch["property"] = prop
        if isinstance(values, re.Pattern):
            switch["patterns"].append((values, item["then"]))
        else:
            for value in values:
                switch["cases"].setdefault(value, []).append(item["then"])
        if not required:
            switch["absent"].append(item["then"])
    if switch["cases"] and switch["patterns"]:
        return None
    return switch


def _one_property_test(item: Any) -> tuple[str, list[Any] | re.Pattern[str], bool] | None:
    """(P, values or pattern, P required) for ``{"if": {"properties": {P: {"const"|"enum"|"pattern": ...}},
    ...}, "then": S}``."""
    if not (isinstance(item, dict) and set(item) == {"if", "then"} and isinstance(item["if"], dict)):
        return None
    condition = item["if"]
    properties = condition.get("properties")
    if (
        set(condition) - {"properties", "required"}
        or not isinstance(properties, dict)
        or len(properties) != 1
    ):
        return None
    ((prop, test),) = properties.items()
    if (
        isinstance(test, dict)
        and set(test) == {"const", "pattern"}
        and _matches(test["pattern"], test["const"])
    ):
        test = {"const": test["const"]}  # the pattern only anchors the const for editors (ops.exactly)
    if condition.get("required", [prop]) != [prop] or not isinstance(test, dict) or len(test) != 1:
        return None
    if "const" in test:
        values = [test["const"]]
    elif isinstance(test.get("enum"), list):
        values = test["enum"]
    elif isinstance(test.get("pattern"), str):
        return prop, re.compile(test["pattern"]), "required" in condition
    else:
        return None
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
        return None
    return prop, values, "required" in condition


def _matches(pattern: Any, value: Any) -> bool:
    return isinstance(pattern, str) and isinstance(value, str) and re.search(pattern, value) is not None


def _switch(
    validator: Any, switch: dict[str, Any], instance: Any, schema: Schema
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    prop = switch["property"]
    if prop not in instance:
        branches = switch["absent"]
    elif switch["patterns"]:  # a pattern holds for anything but a string that does not match it
        value = instance[prop]
        branches = [
            then for regex, then in switch["patterns"] if type(value) is not str or regex.search(value)
        ]
    else:
        value = instance[prop]
        # only a str or an int can equal a case (True == 1 to Python, not to JSON Schema)
        branches = switch["cases"].get(value, ()) if type(value) in (str, int) else ()
    for branch in branches:
        yield from validator.descend(instance, branch)


# keywords that check a scalar of these Python types; other keywords leave scalars alone
_SCALAR_KEYWORDS = {
    "pattern": (str,),
    "minLength": (str,),
    "maxLength": (str,),
    "minimum": (int, float),
    "maximum": (int, float),
    "exclusiveMinimum": (int, float),
    "exclusiveMaximum": (int, float),
    "multipleOf": (int, float),
}
_ANY_INSTANCE = frozenset({"enum", "const", "not", "if", "allOf", "anyOf", "oneOf", "$ref", "$dynamicRef"})
_JSON_TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
# id(schema) -> (schema, answer): the schema is kept alive so that its id cannot be reused
_free_cache: dict[int, tuple[Any, frozenset[type]]] = {}


def _free_scalars(schema: Any) -> frozenset[type]:
    """The scalar types (str, int, ...) that ``schema`` accepts whatever their value: no need to descend."""
    entry = _free_cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _free_cache[id(schema)] = (schema, _scalar_types_passing(schema))
    return entry[1]


def _scalar_types_passing(schema: Any) -> frozenset[type]:
    if schema is True:
        return frozenset({str, int, float, bool, type(None)})
    if not isinstance(schema, dict) or _ANY_INSTANCE & schema.keys():
        return frozenset()
    free = {str, int, float, bool, type(None)}
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        free &= {t for name in names for t in _JSON_TYPES.get(name, ())}  # 1.0 as an integer: descend
    for keyword in schema.keys() & _SCALAR_KEYWORDS.keys():
        free -= set(_SCALAR_KEYWORDS[keyword])
    return frozenset(free)


def _properties(
    validator: Any, properties: dict[str, Any], instance: Any, schema: Schema
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for name, subschema in properties.items():
        if name in instance and type(instance[name]) not in _free_scalars(subschema):
            yield from validator.descend(instance[name], subschema, path=name, schema_path=name)


def _items(validator: Any, items: Any, instance: Any, schema: Schema) -> Iterator[ValidationError]:
    if not isinstance(instance, list) or items is False or "prefixItems" in schema:
        yield from _keywords.items(validator, items, instance, schema)
        return
    free = _free_scalars(items)
    for index, item in enumerate(instance):
        if type(item) not in free:
            yield from validator.descend(item, items, path=index)


_enum_sets: dict[int, tuple[list[Any], frozenset[str]]] = {}


def _enum(validator: Any, enums: list[Any], instance: Any, schema: Schema) -> Iterator[ValidationError]:
    """``enum`` with a set lookup for strings (an op_type is checked against some 200 names)."""
    if type(instance) is str:
        entry = _enum_sets.get(id(enums))
        if entry is None or entry[0] is not enums:
            entry = _enum_sets[id(enums)] = (enums, frozenset(e for e in enums if type(e) is str))
        if instance in entry[1]:
            return
    yield from _keywords.enum(validator, enums, instance, schema)


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {_SWITCH: _switch, "properties": _properties, "items": _items, "enum": _enum},
)


def findings(validator: jsonschema.protocols.Validator, tree: Any) -> list[tuple[Path, str]]:
    """(document path, message) for every place ``tree`` breaks the schema, in document order."""
    out: list[tuple[Path, str]] = []
    for error in validator.iter_errors(tree):
        out.extend(_explain(error))
    return sorted(dict.fromkeys(out), key=lambda item: _order(item[0]))


def _order(path: Path) -> tuple[tuple[int, Any], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in path)


def _explain(error: ValidationError) -> list[tuple[Path, str]]:
    path: Path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = list(error.schema.get("properties", {}))
        extra = [key for key in error.instance if key not in known]
        return [(path + (key,), _unknown_key(key, known)) for key in extra]
    if error.validator in ("anyOf", "oneOf") and error.context:
        deepest = best_match(error.context)
        return _explain(deepest)
    if error.validator == "enum" and isinstance(error.instance, str):
        close = difflib.get_close_matches(error.instance, [str(v) for v in error.validator_value], n=1)
        what = error.schema.get("errorMessage", "not one of the allowed values")
        return [(path, f"{error.instance!r}: {what}" + (f" (did you mean {close[0]!r}?)" if close else ""))]
    if error.validator == "pattern" and "patternErrorMessage" in error.schema:
        names = [s["body"] for s in error.schema.get("defaultSnippets", ()) if isinstance(s.get("body"), str)]
        close = (
            difflib.get_close_matches(error.instance, names, n=1) if isinstance(error.instance, str) else []
        )
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [(path, f"{error.instance!r}: expected {error.schema['patternErrorMessage']}{hint}")]
    if error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_KIND_WORDS.get(k, k) for k in kinds)
        return [(path, f"expected {words}, got {_kind_of(error.instance)}")]
    return [(path, error.message)]


_KIND_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value) if value is not None else "null"


def _unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
