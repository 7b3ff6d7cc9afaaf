"""Readable lines from pydantic validation errors of scenario files.

Each line names the file (or the ``--set`` option), the dotted key path, what is wrong,
what was given and what is allowed: the field's own documentation (its unit), the
choices of a ``Literal``, and for an unknown key the nearest allowed key ("did you
mean ..."). A value that may take several forms (a number, or a mapping quarter -> USD)
is reported once, not once per form.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

_FORMS = {"float": "a number", "int": "a whole number", "str": "text", "bool": "true or false",
          "dict": "a mapping", "tuple": "a list", "list": "a list"}
_TYPE_ERRORS = {"float_type", "float_parsing", "int_type", "int_parsing", "string_type",
                "bool_type", "bool_parsing", "dict_type", "tuple_type", "list_type",
                "model_type", "int_from_float"}
_SHOULD = re.compile(r"^(Input|String|List|Tuple|Dictionary|Value) should")
_NUMBER_WITH_UNIT = re.compile(r"^\s*[-+]?[\d.,_]+\s*[A-Za-z%$€]+")


def describe(
    exc: ValidationError,
    file: Path,
    model: type[BaseModel],
    overridden: Iterable[str] = (),
    origins: Mapping[str, Path] | None = None,
) -> list[str]:
    """One readable line per problem of a failed scenario validation.

    Parameters
    ----------
    exc
        The pydantic error.
    file
        Scenario file named in each line.
    model
        The root model (``Scenario``), used to find allowed keys and field documentation.
    overridden
        Dotted keys given with ``--set``; problems under them name the option, not the file.
    origins
        Dotted key -> file that set it (with ``extends:``, the base may be the one to edit).
    """
    lines: list[str] = []
    seen: set[str] = set()
    overrides = tuple(overridden)
    for path, errors in _by_path(_drop_mismatched_forms(exc.errors(), model), model).items():
        line = _line(path, errors, model)
        source = _source(path, file, overrides, origins or {})
        if not path:
            text = f"{source}: {line.removeprefix(': ')}"
        elif source == f"--set {'.'.join(path)}":
            text = f"--set {line}"
        else:
            text = f"{source}: {line}"
        if text not in seen:
            seen.add(text)
            lines.append(text)
    return lines


def _drop_mismatched_forms(
    errors: list[ErrorDetails], model: type[BaseModel]
) -> list[ErrorDetails]:
    """For a value of several forms, keep only the errors of the form the input took.

    ``{2027Q1: -5}`` for ``budget.usd_per_quarter`` is a mapping: the complaint that it is
    not a number is noise next to the real one, that -5 is negative.
    """
    located = [(e, *_union_root(e["loc"], model)) for e in errors]
    real = {(root, member) for e, root, member in located
            if member is not None and not _form_mismatch(e, root)}
    real_roots = {root for root, _ in real}
    return [e for e, root, member in located
            if member is None or root not in real_roots or (root, member) in real]


def _source(
    path: tuple[str, ...], file: Path, overrides: Sequence[str], origins: Mapping[str, Path]
) -> str:
    dotted = ".".join(path)
    for key in overrides:
        if dotted == key or dotted.startswith(key + ".") or key.startswith(dotted + "."):
            return f"--set {key}"
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        origin = origins.get(".".join(parts[:end]))
        if origin is not None:
            return str(origin)
    return str(file)


def _by_path(
    errors: list[ErrorDetails], model: type[BaseModel]
) -> dict[tuple[str, ...], list[tuple[ErrorDetails, str | None]]]:
    """Group errors by key path, with union member tags removed from the path."""
    grouped: dict[tuple[str, ...], list[tuple[ErrorDetails, str | None]]] = {}
    for error in errors:
        path, member = _clean_loc(error["loc"], model)
        grouped.setdefault(path, []).append((error, member))
    return grouped


def _clean_loc(
    loc: tuple[int | str, ...], model: type[BaseModel]
) -> tuple[tuple[str, ...], str | None]:
    """Drop the pydantic tags that name a member of a union ('constrained-float', ...)."""
    path: list[str] = []
    member: str | None = None
    annotation: Any = model
    for part in loc:
        if _is_union(annotation) and isinstance(part, str) and member is None:
            member = part
            annotation = _union_member(annotation, part)
            continue
        path.append(str(part))
        annotation = _child(annotation, part)
    return tuple(path), member


def _form_mismatch(error: ErrorDetails, root: tuple[int | str, ...]) -> bool:
    """The input is not of this union member's form at all (not a mapping, not a number)."""
    return error["type"] in _TYPE_ERRORS and len(error["loc"]) == len(root) + 1


def _union_root(
    loc: tuple[int | str, ...], model: type[BaseModel]
) -> tuple[tuple[int | str, ...], str | None]:
    """The part of ``loc`` before a union member tag, and the tag (or ``None``)."""
    annotation: Any = model
    for index, part in enumerate(loc):
        if _is_union(annotation) and isinstance(part, str):
            return loc[:index], part
        annotation = _child(annotation, part)
    return loc, None


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _union_member(annotation: Any, tag: str) -> Any:
    for arg in get_args(annotation):
        origin = get_origin(arg) or arg
        name = getattr(origin, "__name__", str(origin))
        if tag.startswith(name) or (name == "float" and "float" in tag):
            return arg
    return None


def _child(annotation: Any, part: int | str) -> Any:
    """The annotation one step down from ``annotation`` along a key or list index."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _child(args[0], part)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field is not None else None
    if origin in (tuple, list) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _field(model: type[BaseModel], path: Sequence[str]) -> FieldInfo | None:
    """The field at a key path, if the path leads to one."""
    annotation: Any = model
    field: FieldInfo | None = None
    for part in path:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field is not None else None
        else:
            field = None
            annotation = _child(annotation, int(part) if part.isdigit() else part)
    return field


def _line(
    path: tuple[str, ...], errors: list[tuple[ErrorDetails, str | None]], model: type[BaseModel]
) -> str:
    dotted = ".".join(path)
    first = errors[0][0]
    if first["type"] == "extra_forbidden":
        return f"{dotted}: unknown key{suggest(path, model)}"
    section = _model_at(model, path)
    if first["type"] == "model_type" and section is not None:
        keys = ", ".join(section.model_fields)
        return f"{dotted}: must be a section with the keys {keys}, not a value{_given(first)}"
    members = [m for _, m in errors if m is not None]
    if len(members) > 1:
        specific = [e for e, _ in errors if e["type"] not in _TYPE_ERRORS]
        if specific:
            first = specific[0]
        else:
            forms = " or ".join(dict.fromkeys(_form(m) for m in members))
            return f"{dotted}: must be {forms}{_given(first)}{_about(model, path)}"
    message = _message(first)
    return f"{dotted}: {message}{_given(first)}{_hint(first)}{_about(model, path)}"


def _form(tag: str) -> str:
    for name, text in _FORMS.items():
        if tag.startswith(name):
            return text
    return "a number" if tag.endswith("float") or tag.endswith("int") else tag


def _message(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return "required key is missing"
    text = error["msg"].removeprefix("Value error, ")
    return _SHOULD.sub("must", text, count=1)


def _given(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return ""
    given = error.get("input")
    if isinstance(given, dict | list | tuple) or given is None:
        return ""
    return f" (given: {given!r})"


def _hint(error: ErrorDetails) -> str:
    given = error.get("input")
    if error["type"] in ("float_parsing", "int_parsing") and isinstance(given, str):
        if given.strip().endswith("%"):
            return "; write a share as a fraction (15% -> 0.15)"
        if _NUMBER_WITH_UNIT.match(given):
            return "; write the plain number without its unit (the key's note gives the unit)"
    return ""


def _about(model: type[BaseModel], path: Sequence[str]) -> str:
    field = _field(model, path)
    if field is None or not field.description:
        return ""
    note = " ".join(field.description.split()).rstrip(".")
    return f" — {path[-1]}: {note[:1].lower() + note[1:]}"


def suggest(path: Sequence[str], model: type[BaseModel]) -> str:
    """'; did you mean ...?' for an unknown key, from the keys allowed at that place."""
    parent = _model_at(model, path[:-1])
    if parent is None:
        return ""
    allowed = [k for k in parent.model_fields if k != "source_path"]
    close = nearest(str(path[-1]), allowed)
    if close:
        return f"; did you mean {close!r}?"
    elsewhere = _sections_with(model, str(path[-1]))
    if elsewhere:
        return f"; {path[-1]!r} belongs under {' or '.join(elsewhere)}"
    return f"; allowed keys here: {', '.join(allowed)}"


def nearest(key: str, allowed: Sequence[str]) -> str | None:
    """The allowed key closest to a mistyped ``key``, or ``None`` if nothing is close."""
    normal = key.strip().lower().replace("-", "_").replace(" ", "_")
    if normal in allowed:
        return normal
    close = difflib.get_close_matches(normal, allowed, n=1, cutoff=0.6)
    if close:
        return close[0]
    stem = normal.rstrip("sz_")[:4]
    prefixed = [k for k in allowed if len(stem) >= 3 and k.startswith(stem)]
    if len(prefixed) == 1:
        return prefixed[0]
    words = [k for k in allowed if any(w and w in k.split("_") for w in normal.split("_"))]
    if len(words) == 1:
        return words[0]
    close = difflib.get_close_matches(normal, allowed, n=1, cutoff=0.45)
    return close[0] if close else None


def _model_at(model: type[BaseModel], path: Sequence[str]) -> type[BaseModel] | None:
    annotation: Any = model
    for part in path:
        annotation = _child(annotation, int(part) if part.isdigit() else part)
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if _is_union(annotation):  # a path or a mapping (a layer): the mapping's keys
        models = [a for a in get_args(annotation)
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        annotation = models[0] if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _sections_with(model: type[BaseModel], key: str) -> list[str]:
    found = []
    for name, field in model.model_fields.items():
        section = field.annotation
        is_model = isinstance(section, type) and issubclass(section, BaseModel)
        if is_model and key in section.model_fields:  # type: ignore[union-attr]
            found.append(name)
    return found
