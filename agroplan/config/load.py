"""Reading scenario files: YAML, ``extends:`` chains and ``--set`` overrides.

A file may start with ``extends: other.yaml``: the base is loaded first and this file's
keys override it (mappings merge key by key, everything else replaces). Command-line
``--set dotted.key=value`` overrides are applied last. Every problem in a file is collected
and reported at once, each with the file, the dotted key path and what is allowed
(:mod:`agroplan.config.wording`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from agroplan.config.scenario import Scenario
from agroplan.config.sources import is_database
from agroplan.config.wording import describe
from agroplan.errors import ConfigError
from agroplan.messages import Message

MAX_SCENARIO_BYTES = 1_000_000
"""Largest scenario file read; real ones are a few kilobytes."""

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "default.yaml"


def load_scenario(
    path: str | Path | None = None, overrides: Sequence[str] = ()
) -> Scenario:
    """Read, merge and validate a scenario file.

    Parameters
    ----------
    path
        YAML scenario file; ``None`` means ``data/scenarios/default.yaml``.
    overrides
        ``dotted.key=value`` strings applied after the file (values parsed as YAML).

    Raises
    ------
    ConfigError
        With every problem found, each naming the file and the dotted key path.
    """
    file = Path(path) if path is not None else DEFAULT_SCENARIO
    raw, origins = _read_with_extends(file, chain=())
    keys = [_apply_override(raw, item) for item in overrides]
    return validate_scenario(raw, file, overridden=keys, origins=origins)


def validate_scenario(
    raw: Mapping[str, Any],
    file: Path,
    overridden: Sequence[str] = (),
    origins: Mapping[str, Path] | None = None,
) -> Scenario:
    """Validate an already-merged mapping; ``file`` is named in the errors.

    ``overridden`` lists the dotted keys set with ``--set``: their problems name the
    option rather than the file. ``origins`` maps dotted keys to the file that set them
    (a base named by ``extends:``), so a problem names the file to edit.
    """
    raw = {k: v for k, v in raw.items() if k != "extends"}
    key_files = {key: str(path) for key, path in (origins or {}).items()}
    key_files.update({key: "--set" for key in overridden})
    try:
        scenario = Scenario.model_validate({**raw, "source_path": str(file.resolve()),
                                            "key_files": key_files})
    except ValidationError as exc:
        raise ConfigError(describe(exc, file, Scenario, overridden, origins)) from None
    return scenario


def _read_yaml(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise ConfigError(Message("%(file)s: scenario file not found; check the path",
                                  file=file))
    if file.stat().st_size > MAX_SCENARIO_BYTES:
        raise ConfigError(
            f"{file}: {file.stat().st_size:,} bytes is too large for a scenario file "
            f"(limit {MAX_SCENARIO_BYTES:,}); is it the right file?"
        )
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Message("%(file)s: cannot be read as UTF-8 text (%(reason)s)",
                                  file=file, reason=exc)) from None
    try:
        data = yaml.load(text, Loader=NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(Message("%(file)s:%(where)s: malformed YAML (%(problem)s)",
                                  file=file, where=where, problem=problem)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{file}: the top level must be a mapping of keys (name:, horizon:, ...), "
            f"found a {type(data).__name__}"
        )
    return data


class NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (they can expand into huge documents)."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed in scenario files",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """Refuse a key given twice in one mapping (YAML would silently keep the last)."""
        keys: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one section; keep one",
                    key_node.start_mark,
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_with_extends(
    file: Path, chain: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[str, Path]]:
    """The merged mapping, and for each dotted key the file that set it."""
    resolved = file.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ConfigError(f"{file}: `extends:` forms a cycle ({cycle}); remove one link")
    data = _read_yaml(file)
    base_name = data.pop("extends", None)
    own = _key_files(data, file)
    if base_name is None:
        return _rebase_layers(data, file), own
    if not isinstance(base_name, str):
        raise ConfigError(f"{file}: extends must be a file name, found {base_name!r}")
    base_file = file.parent / base_name
    if not base_file.is_file():
        raise ConfigError(
            f"{file}: extends: {base_name} not found (looked for {base_file}); the path is "
            "relative to this file"
        )
    base, origins = _read_with_extends(base_file, (*chain, resolved))
    origins = {k: v for k, v in origins.items()  # keys this file replaces are its own
               if not any(k.startswith(f"{key}.") or key.startswith(f"{k}.") for key in own)}
    return _merge(base, _rebase_layers(data, file)), {**origins, **own}


def _key_files(data: Mapping[Any, Any], file: Path, prefix: str = "") -> dict[str, Path]:
    """Dotted path of every value set in ``data`` (sections descended) -> ``file``."""
    found: dict[str, Path] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            found.update(_key_files(value, file, f"{path}."))
        else:
            found[path] = file
    return found


def _rebase_layers(data: dict[str, Any], file: Path) -> dict[str, Any]:
    """Make layer paths absolute against the file that names them, so extends keeps them right."""
    layers = data.get("layers")
    if isinstance(layers, dict):
        data = {**data, "layers": {k: _rebased(v, file) for k, v in layers.items()}}
    return data


def _rebased(value: Any, file: Path) -> Any:
    """A layer's path (or the ``path`` of its mapping) made absolute; URIs stay as they are."""
    if isinstance(value, str) and not is_database(value):
        return str((file.parent / value).resolve())
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        return {**value, "path": _rebased(value["path"], file)}
    return value


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _apply_override(raw: dict[str, Any], item: str) -> str:
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(
            f"--set {item!r}: write it as dotted.key=value, for example budget.carry_over=false"
        )
    if key == "extends":
        raise ConfigError("--set extends: a base scenario can only be named in a scenario file; "
                          "write a small file with `extends:` and your overrides instead")
    try:
        value = yaml.load(text, Loader=NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        value = text
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ConfigError(f"--set {key}: {part!r} is not a section, cannot set a key inside it")
        node = child
    node[parts[-1]] = value
    return key
