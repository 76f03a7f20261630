"""Build a settings dataclass from a nested mapping (config.yaml's shape), checking every key and
type; and turn one back into a mapping. Every problem is collected, so start-up names them all."""
from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, Union

T = TypeVar("T")


class SettingsError(ValueError):
    """Settings that cannot be used: each problem on its own line, named by its dotted key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def key_of(item: dataclasses.Field[Any]) -> str:
    """The name in config.yaml (`from` for EmailSettings.sender: a Python keyword)."""
    return str(item.metadata.get("key", item.name))


def build(cls: type[T], values: Mapping[str, Any] | None, where: str = "") -> T:
    """`cls` with `values` over its defaults; SettingsError lists unknown keys and wrong types."""
    problems: list[str] = []
    built = _dataclass(cls, values or {}, where, problems)
    if problems:
        raise SettingsError(problems)
    return built


def unknown_keys(cls: type[Any], values: Mapping[str, Any], where: str = "") -> list[str]:
    """Dotted names in `values` that `cls` has no field for (values not checked)."""
    fields = {key_of(item): item for item in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    found: list[str] = []
    for key, value in values.items():
        item = fields.get(str(key))
        if item is None:
            found.append(where + str(key))
        elif dataclasses.is_dataclass(hints[item.name]) and isinstance(value, Mapping):
            found += unknown_keys(hints[item.name], value, f"{where}{key}.")
    return found


def secret_keys(cls: type[Any], values: Mapping[str, Any], where: str = "") -> list[str]:
    """Dotted names in `values` of fields that may come only from the environment."""
    hints = typing.get_type_hints(cls)
    found: list[str] = []
    for item in dataclasses.fields(cls):
        value = values.get(key_of(item))
        if value is None:
            continue
        if item.metadata.get("secret") and value != "":
            found.append(where + key_of(item))
        elif dataclasses.is_dataclass(hints[item.name]) and isinstance(value, Mapping):
            found += secret_keys(hints[item.name], value, f"{where}{key_of(item)}.")
    return found


def to_dict(settings: Any) -> dict[str, Any]:
    """config.yaml's shape of a settings dataclass (for another process, or a test's overrides)."""
    if dataclasses.is_dataclass(settings) and not isinstance(settings, type):
        return {key_of(item): to_dict(getattr(settings, item.name)) for item in dataclasses.fields(settings)}
    if isinstance(settings, Mapping):
        return {key: to_dict(value) for key, value in settings.items()}
    if isinstance(settings, tuple):
        return [to_dict(value) for value in settings]  # type: ignore[return-value]
    return settings  # type: ignore[no-any-return]


def _dataclass(cls: type[T], values: Any, where: str, problems: list[str]) -> T:
    if not isinstance(values, Mapping):
        problems.append(f"{where.rstrip('.') or 'settings'}: expected a section (key: value lines), "
                        f"got {values!r}")
        return cls()
    hints = typing.get_type_hints(cls)
    problems += [f"{name}: unknown setting" for name in unknown_keys(cls, values, where)
                 if name.count(".") == where.count(".")]
    given: dict[str, Any] = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        if key_of(item) in values:
            given[item.name] = _value(hints[item.name], values[key_of(item)], where + key_of(item),
                                      problems)
    return cls(**given)


def _value(kind: Any, value: Any, where: str, problems: list[str]) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind, value, where + ".", problems)  # type: ignore[arg-type]
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _value(next(arg for arg in args if arg is not type(None)), value, where, problems)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            problems.append(f"{where}: expected a list, got {value!r}")
            return ()
        return tuple(_value(args[0], item, f"{where}[{n}]", problems) for n, item in enumerate(value))
    if origin is Mapping or origin is dict:
        if not isinstance(value, Mapping):
            problems.append(f"{where}: expected a mapping (key: value), got {value!r}")
            return {}
        return {str(key): _value(args[1], item, f"{where}.{key}", problems) for key, item in value.items()}
    return _scalar(kind, value, where, problems)


def _scalar(kind: Any, value: Any, where: str, problems: list[str]) -> Any:
    if kind is bool and isinstance(value, bool):
        return value
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind is str and isinstance(value, str):
        return value
    if kind is str and isinstance(value, os.PathLike):  # a path given by code, not by config.yaml
        return os.fspath(value)
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text (quote it)"}
    problems.append(f"{where}: expected {names.get(kind, kind)}, got {value!r}")
    return value
