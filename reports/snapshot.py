"""A finalised month's ledger kept as data: what was printed when the month was finalised.

A locked month's ledger is rendered from this snapshot, never rebuilt: residents edited, moved
away or deceased since (a name, the migrant flag, a birth date) do not change what the month
showed. The snapshot is the ledger's plain data (reports.data) as JSON; dataclasses, lists,
tuples, dates and datetimes are written by their fields and read back by their type hints.
A field that a later version of reports.data adds is read as its default (or an empty value)
in snapshots made before it.
"""

import dataclasses
import datetime as dt
import types
import typing
from functools import cache

from reports import data

VERSION = 1


def ledger_to_snapshot(ledger: data.Ledger) -> dict:
    return {"version": VERSION, "ledger": _encode(ledger)}


def ledger_from_snapshot(snapshot: dict) -> data.Ledger:
    if not isinstance(snapshot, dict) or snapshot.get("version") != VERSION:
        raise ValueError("not a ledger snapshot of this version")
    return _decode(data.Ledger, snapshot["ledger"])


def _encode(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # a lazy translation: the text it stood for


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _decode(kind, value):
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        if value is None:
            return None
        return _decode(options[0], value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_decode(item, v) for v in value]
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:  # tuple[X, ...]: any length
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(k, v) for k, v in zip(args, value, strict=True))
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        values = {}
        for f in dataclasses.fields(kind):
            if f.name in value:
                values[f.name] = _decode(hints[f.name], value[f.name])
            elif (
                f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            ):
                continue
            else:
                values[f.name] = _empty(hints[f.name])
        return kind(**values)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    return value


def _empty(kind):
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return None
    if origin is list:
        return []
    return {str: "", int: 0, float: 0.0, bool: False}.get(kind)
