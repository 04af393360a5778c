"""Gymnasium's vector ``info`` layout built in one pass over the sub-environments' infos."""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

__all__ = ["merge_columns", "merge_infos"]

# Python and numpy scalar types -> the dtype of their column (as VectorEnv._add_info).
_NUMBERS = {
    bool: np.bool_,
    int: np.int64,
    float: np.float64,
    np.bool_: np.bool_,
    np.int64: np.int64,
    np.int32: np.int32,
    np.float64: np.float64,
    np.float32: np.float32,
}


def merge_infos(infos: list[dict[str, Any]]) -> dict[str, Any]:
    """Gymnasium's vector info layout: ``{key: array, "_key": present mask}``.

    The layout ``VectorEnv._add_info`` builds key by key: nested dicts (``final_info``,
    ``final_obs``) are merged recursively, numbers and bools become typed arrays,
    anything else goes into an object array (None where absent). Unlike ``_add_info``,
    arrays are not stacked: ``info["final_obs"]["image"]`` is an object array holding
    each sub-env's (read-only) image, which saves copying every image twice per step.
    When every info has the same keys, the ``_key`` masks of one level are one shared,
    read-only all-True array, and a level of floats only (the reward components) is one
    ``(n, keys)`` array whose columns are the values.
    """
    order = list(infos[0])
    if all(map(order.__eq__, map(list, infos))):  # same keys, same order: transpose
        rows = [tuple(info.values()) for info in infos]
        if set(map(type, chain.from_iterable(rows))) == {float}:  # e.g. reward components
            n, k = len(infos), len(order)  # one array; a column per key
            table = np.fromiter(chain.from_iterable(rows), np.float64, n * k).reshape(n, k)
            mask = _all_present(n)
            out: dict[str, Any] = {}
            for j, key in enumerate(order):
                out[key] = table[:, j]
                out["_" + key] = mask
            return out
        return merge_columns(order, zip(*rows, strict=True), len(infos))
    out = {}
    for key in dict.fromkeys(k for info in infos for k in info):
        present = [key in info for info in infos]
        values = [info.get(key) for info in infos]
        kinds = {type(v) for v, p in zip(values, present, strict=True) if p}
        kind = kinds.pop() if len(kinds) == 1 else object
        if kind is dict:
            out[key] = merge_infos([v if p else {} for v, p in zip(values, present, strict=True)])
        elif kind in _NUMBERS:
            filled = [v if p else kind() for v, p in zip(values, present, strict=True)]
            out[key] = np.array(filled, dtype=_NUMBERS[kind])
        else:
            out[key] = np.fromiter(values, dtype=object, count=len(values))
        out["_" + key] = np.array(present, dtype=np.bool_)
    return out


def merge_columns(keys: Any, columns: Any, n: int) -> dict[str, Any]:
    """``merge_infos`` of ``n`` infos that all have ``keys``, given column by column.

    ``columns`` holds, for each key in order, the ``n`` values (e.g. ``zip(*rows)``).
    """
    mask = _all_present(n)
    out: dict[str, Any] = {}
    for key, column in zip(keys, columns, strict=True):
        out[key] = _column(column, n)
        out["_" + key] = mask
    return out


def _all_present(n: int) -> np.ndarray:
    mask = np.empty(n, dtype=np.bool_)
    mask.fill(True)
    mask.setflags(write=False)  # one per level, shared by its keys: read-only
    return mask


def _column(values: tuple[Any, ...], n: int) -> Any:
    # One type: numbers become a typed array, dicts merge; anything else (mixed types,
    # None among numbers, strings, lists, arrays) goes into an object array.
    kinds = set(map(type, values))
    if len(kinds) == 1:
        kind = kinds.pop()
        dtype = _NUMBERS.get(kind)
        if dtype is not None:
            return np.array(values, dtype=dtype)
        if kind is dict:
            return merge_infos(list(values))
    return np.fromiter(values, dtype=object, count=n)  # arrays too: no copy of images
