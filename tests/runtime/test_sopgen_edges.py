"""Edges of the SOP generator's checks that mutation testing (bench/mutation.sh) found unpinned."""
from __future__ import annotations

import pytest
from lxml import etree

from alur.runtime import sopgen

SOURCE = {
    "id": "contoh", "name": "Contoh", "lanes": ["Pelaksana"],
    "steps": [{"no": 1, "lane": "Pelaksana", "text": "Menyusun konsep", "waktu": "1 Jam", "form": "rancangan"}],
}


def test_identity_fields_made_from_others_are_not_read_from_the_source():
    # `nama` comes from `name`, `disahkan_*` from `disahkan_oleh`: what a source has under those keys is
    # never used, so it is not checked either.
    data = {**SOURCE, "nama": ["lain"], "disahkan_nip": 19700101}
    assert sopgen.check_source(data, "contoh.toml") is data
    properties = sopgen.identity_properties(data)
    assert (properties["namaSop"], properties["disahkanOlehNip"]) == ("Contoh", "")


def _task_properties(bpmn: bytes) -> dict[str, str]:
    root = etree.fromstring(bpmn)
    task = root.find(f".//{{{sopgen.BPMN}}}userTask")
    return {p.get("name"): p.get("value") for p in task.iter(f"{{{sopgen.SPIFF}}}property")}


def test_a_task_names_its_ui_schema_when_the_forms_folder_has_one(tmp_path):
    assert "formUiSchemaFilename" not in _task_properties(sopgen.generate(SOURCE))
    assert "formUiSchemaFilename" not in _task_properties(sopgen.generate(SOURCE, tmp_path))
    (tmp_path / "rancangan.uischema.json").write_text("{}", encoding="utf-8")
    properties = _task_properties(sopgen.generate(SOURCE, tmp_path))
    assert (properties["formJsonSchemaFilename"], properties["formUiSchemaFilename"]) == (
        "rancangan.schema.json", "rancangan.uischema.json")


def test_every_identity_field_after_the_made_ones_is_checked_too():
    with pytest.raises(sopgen.SourceError, match="contoh.toml: field 'unit' must be a string"):
        sopgen.check_source({**SOURCE, "unit": 5}, "contoh.toml")
