"""The bounded mapping behind the engine's caches."""
from __future__ import annotations

import pytest

from alur.runtime.bounded import BoundedDict


def test_storing_a_new_key_when_full_drops_the_oldest_stored():
    cache = BoundedDict(2)
    cache["a"], cache["b"] = 1, 2
    cache["c"] = 3
    assert len(cache) == 2 and "a" not in cache
    assert cache.get("b") == 2 and cache.get("c") == 3


def test_replacing_a_value_drops_nothing_and_keeps_its_place():
    cache = BoundedDict(2)
    cache["a"], cache["b"] = 1, 2
    cache["a"] = 10
    assert (cache.get("a"), cache.get("b")) == (10, 2)
    cache["c"] = 3  # "a" was still stored first
    assert "a" not in cache and cache.get("b") == 2


def test_pop_takes_an_entry_out():
    cache = BoundedDict(2)
    cache["a"] = 1
    assert cache.pop("a", None) == 1
    assert cache.pop("a", None) is None and cache.get("a") is None
    with pytest.raises(KeyError):
        cache.pop("a")


def test_size_must_be_positive():
    with pytest.raises(ValueError):
        BoundedDict(0)
