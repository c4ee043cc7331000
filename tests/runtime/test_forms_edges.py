"""Edges of form validation that mutation testing (bench/mutation.sh) found unpinned: the generic form a
user task gets when its file names none."""
from __future__ import annotations

import json

import pytest

from alur.runtime import forms

GENERIC = json.loads(forms.GENERIC_FORM_TEXT)


def test_the_generic_form_is_a_usable_schema():
    assert forms.schema_problems(forms.GENERIC_FORM_TEXT) == []


def test_the_generic_form_is_done_when_selesai_is_ticked_with_an_optional_note():
    assert forms.validate(GENERIC, {"selesai": True}) == {"selesai": True}
    assert forms.validate(GENERIC, {"selesai": True, "catatan": "x" * 2000})
    assert forms.sample_data(GENERIC) == {"selesai": True, "catatan": "Isian catatan"}


@pytest.mark.parametrize("data, errors", [
    ({}, {"selesai": "wajib diisi"}),
    ({"selesai": False}, {"selesai": "harus dicentang"}),
    ({"selesai": True, "catatan": "x" * 2001}, {"catatan": "maksimal 2000 karakter"}),
    ({"selesai": True, "lampiran": "a.pdf"}, {"lampiran": "isian tidak dikenal"}),
])
def test_the_generic_form_refuses(data, errors):
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(GENERIC, data)
    assert refused.value.errors == errors


def test_an_object_where_text_belongs_is_named_by_its_field_not_by_its_keys():
    schema = {"type": "object", "properties": {"kode": {"type": "string"}, "isi": {"type": "object", "minProperties": 2}}}
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(schema, {"kode": {"a": 1}, "isi": {"b": 2}})
    assert refused.value.errors == {"isi": "nilai tidak sah", "kode": "harus berupa teks"}


def test_the_generic_forms_text_keeps_its_layout():
    # The text is stored and hashed with every version that uses it (runtime/content_hash.py): laid out
    # differently, the same BPMN deployed again would become a new version.
    assert forms.GENERIC_FORM_TEXT.splitlines()[:3] == ["{", '  "type": "object",', '  "title": "Penyelesaian tugas",']
