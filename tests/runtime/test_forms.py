"""Form schemas: checked at deploy, enforced on completion with Indonesian messages naming each field."""
from __future__ import annotations

import json

import pytest

from alur.runtime import forms
from tests.conftest import FORMS

SCHEMAS = {p.name: json.loads(p.read_text()) for p in sorted(FORMS.glob("*.schema.json"))}
REVIEW = SCHEMAS["pemeriksaan.schema.json"]

NESTED = {
    "type": "object",
    "properties": {
        "jumlah": {"type": "integer", "minimum": 1, "maximum": 100},
        "nilai": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "multipleOf": 0.5},
        "kode": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "nip": {"type": "string", "minLength": 3, "maxLength": 3},
        "tanggal": {"type": "string", "format": "date"},
        "setuju": {"const": True},
        "tanda": {"const": "ya"},
        "daftar": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": True,
                   "items": {"type": "object", "properties": {"nama": {"type": "string"}},
                             "required": ["nama"], "additionalProperties": False}},
        "lampiran": {"type": "string", "format": "alur-attachment"},
        "pilihan": {"type": ["integer", "null"]},
        "salah_satu": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
    },
    "required": ["jumlah"],
    "additionalProperties": False,
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_form_in_forms_is_a_usable_schema_and_its_sample_data_is_valid(name):
    assert forms.schema_problems(json.dumps(SCHEMAS[name])) == []
    assert forms.validate(SCHEMAS[name], forms.sample_data(SCHEMAS[name])) == forms.sample_data(SCHEMAS[name])


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{", "not JSON: Expecting property name enclosed in double quotes (line 1, column 2)"),
        ('{"type": "object",\n "properties": 5}', "not a valid JSON Schema: 5 is not of type 'object'"),
        ('{"type": "array"}', "a form schema must have type 'object'"),
        ("{}", "a form schema must have type 'object'"),
    ],
)
def test_a_bad_schema_is_described(text, problem):
    assert forms.schema_problems(text) == [problem]


@pytest.mark.parametrize(
    "data, errors",
    [
        ({}, {"jumlah": "wajib diisi"}),
        ({"jumlah": "5"}, {"jumlah": "harus berupa bilangan bulat"}),
        ({"jumlah": 0}, {"jumlah": "minimal 1"}),
        ({"jumlah": 101}, {"jumlah": "maksimal 100"}),
        ({"jumlah": 1, "nilai": 0}, {"nilai": "harus lebih dari 0"}),
        ({"jumlah": 1, "nilai": 10}, {"nilai": "harus kurang dari 10"}),
        ({"jumlah": 1, "nilai": 0.3}, {"nilai": "harus kelipatan 0.5"}),
        ({"jumlah": 1, "kode": "abc"}, {"kode": "bentuk isian tidak sesuai"}),
        ({"jumlah": 1, "nip": "AB"}, {"nip": "minimal 3 karakter"}),
        ({"jumlah": 1, "nip": "ABCD"}, {"nip": "maksimal 3 karakter"}),
        ({"jumlah": 1, "tanggal": "23-11-2026"}, {"tanggal": "format date tidak sah"}),
        ({"jumlah": 1, "setuju": False}, {"setuju": "harus dicentang"}),
        ({"jumlah": 1, "tanda": "tidak"}, {"tanda": "nilai tidak sah"}),
        ({"jumlah": 1, "daftar": []}, {"daftar": "minimal 1 butir"}),
        ({"jumlah": 1, "daftar": [{"nama": "a"}, {"nama": "b"}, {"nama": "c"}]}, {"daftar": "maksimal 2 butir"}),
        ({"jumlah": 1, "daftar": [{"nama": "a"}, {"nama": "a"}]}, {"daftar": "butir tidak boleh berulang"}),
        ({"jumlah": 1, "daftar": [{}]}, {"daftar.0.nama": "wajib diisi"}),
        ({"jumlah": 1, "daftar": [{"nama": "a", "x": 1}]}, {"daftar.0.x": "isian tidak dikenal"}),
        ({"jumlah": 1, "daftar": [{"nama": 5}]}, {"daftar.0.nama": "harus berupa teks"}),
        ({"jumlah": 1, "lampiran": "../rahasia"}, {"lampiran": "format alur-attachment tidak sah"}),
        ({"jumlah": 1, "lampiran": "a/b"}, {"lampiran": "format alur-attachment tidak sah"}),
        ({"jumlah": 1, "lampiran": "a\\b"}, {"lampiran": "format alur-attachment tidak sah"}),
        ({"jumlah": 1, "pilihan": "x"}, {"pilihan": "harus berupa bilangan bulat atau kosong"}),
        ({"jumlah": 1, "salah_satu": 1.5}, {"salah_satu": "nilai tidak sah"}),
        ({"jumlah": 1, "asing": 1, "lain": 2}, {"asing": "isian tidak dikenal", "lain": "isian tidak dikenal"}),
        ({"kode": "abc", "jumlah": True}, {"jumlah": "harus berupa bilangan bulat", "kode": "bentuk isian tidak sesuai"}),
    ],
)
def test_each_bad_field_is_named_with_an_indonesian_message(data, errors):
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(NESTED, data)
    assert refused.value.errors == errors
    assert str(refused.value) == "; ".join(f"{field}: {message}" for field, message in errors.items())


def test_valid_data_is_returned_unchanged():
    data = {"jumlah": 100, "nilai": 9.5, "kode": "ABC", "tanggal": "2026-11-23", "setuju": True, "tanda": "ya",
            "daftar": [{"nama": "a"}, {"nama": "b"}], "lampiran": "3f2a.pdf", "pilihan": None, "salah_satu": "x"}
    assert forms.validate(NESTED, data) is data


@pytest.mark.parametrize("data", [[], "x", None, 5])
def test_data_that_is_not_an_object_is_refused(data):
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(NESTED, data)
    assert refused.value.errors == {"_": "data harus berupa objek JSON"}


def test_a_return_needs_a_note_and_an_approval_does_not():
    assert forms.validate(REVIEW, {"keputusan": "setuju"})
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(REVIEW, {"keputusan": "kembalikan"})
    assert refused.value.errors == {"catatan": "wajib diisi"}
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(REVIEW, {"keputusan": "kembalikan", "catatan": "ok"})
    assert refused.value.errors == {"catatan": "minimal 3 karakter"}
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(REVIEW, {"keputusan": "tunda"})
    assert refused.value.errors == {"keputusan": "pilihan tidak dikenal"}


def test_sample_data_of_a_review_follows_the_decision():
    assert forms.sample_data(REVIEW, "setuju")["keputusan"] == "setuju"
    returned = forms.sample_data(REVIEW, "kembalikan")
    assert returned == {"keputusan": "kembalikan", "catatan": "Mohon diperbaiki sesuai koreksi."}
    forms.validate(REVIEW, returned)


def test_sample_values_follow_each_kind_of_field():
    schema = {"type": "object", "required": ["a", "b", "c", "d", "e", "f", "g", "h", "i"], "properties": {
        "a": {"const": "x"}, "b": {"enum": ["p", "q"]}, "c": {"enum": ["p", "q"], "default": "q"},
        "d": {"type": "boolean"}, "e": {"type": "integer", "minimum": 7}, "f": {"type": "integer"},
        "g": {"type": "number"}, "h": {"type": "string", "format": "date"},
        "i": {"type": "string", "format": "alur-attachment"}, "nama_kegiatan": {"type": "string"}}}
    assert forms.sample_data(schema) == {"a": "x", "b": "p", "c": "q", "d": True, "e": 7, "f": 1, "g": 1.0,
                                         "h": "2026-01-05", "i": "lampiran-contoh.pdf"}
    schema["required"].append("nama_kegiatan")
    assert forms.sample_data(schema)["nama_kegiatan"] == "Isian nama kegiatan"
