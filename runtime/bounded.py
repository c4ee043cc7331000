"""A mapping of at most a fixed number of entries: when full, storing a new key drops the oldest stored one.

The engine's caches (versions, specs, the workflows it wrote last) use it so that a
long-running worker keeps a bounded amount of them. Oldest means first stored:
replacing the value of a key keeps its place, as in a dict.
"""
from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_MISSING = object()


class BoundedDict(Generic[K, V]):
    """A dict of at most `size` entries that evicts the oldest stored entry to make room for a new key."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._items: dict[K, V] = {}

    def __setitem__(self, key: K, value: V) -> None:
        if key not in self._items and len(self._items) >= self.size:
            # Default None: another thread may have dropped the same oldest entry first.
            self._items.pop(next(iter(self._items)), None)
        self._items[key] = value

    def get(self, key: K, default=None):
        return self._items.get(key, default)

    def pop(self, key: K, default=_MISSING):
        if default is _MISSING:
            return self._items.pop(key)
        return self._items.pop(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
