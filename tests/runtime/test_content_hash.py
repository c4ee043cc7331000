"""The content hash that identifies a deployed version."""
from __future__ import annotations

import hashlib

from alur.runtime.content_hash import version_hash


def test_the_hash_is_sha256_of_the_text_then_each_form_in_name_order():
    expected = hashlib.sha256(b"<bpmn/>" + b"\0a.json\0{1}" + b"\0b.json\0{2}").hexdigest()
    assert version_hash("<bpmn/>", {"b.json": "{2}", "a.json": "{1}"}) == expected
    assert version_hash("<bpmn/>", {}) == hashlib.sha256(b"<bpmn/>").hexdigest()


def test_non_ascii_text_is_hashed_as_utf8():
    assert version_hash("Kepala Dinas — é", {"ü.json": "ñ"}) == hashlib.sha256(
        "Kepala Dinas — é".encode("utf-8") + b"\0" + "ü.json".encode("utf-8") + b"\0" + "ñ".encode("utf-8")).hexdigest()


def test_any_change_to_text_form_name_or_form_text_changes_the_hash():
    base = version_hash("<bpmn/>", {"a.json": "{}"})
    assert version_hash("<bpmn />", {"a.json": "{}"}) != base
    assert version_hash("<bpmn/>", {"b.json": "{}"}) != base
    assert version_hash("<bpmn/>", {"a.json": "{ }"}) != base
    assert version_hash("<bpmn/>", {}) != base


def test_name_and_text_cannot_be_shifted_into_each_other():
    assert version_hash("", {"ab": "c"}) != version_hash("", {"a": "bc"})
    # (BPMN text itself cannot hold a NUL: XML 1.0 forbids the character, and deploy parses it first.)
