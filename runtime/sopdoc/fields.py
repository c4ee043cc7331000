"""The identity sheet of a Permenpan RB 35/2012 SOP as process-level extension properties.

One definition shared by the generator (which writes them), the reader (which reads them),
the print and the Word export/import (which label them). Lists are numbered properties
(`dasarHukum.1`, `dasarHukum.2`, ...): one name/value line per item is what the properties
panels of Camunda Modeler and spiff-arena edit comfortably; a single `dasarHukum` property
holding one item per line is read as well.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IdentityField:
    key: str  # attribute of model.Identity and key of a TOML transcription
    property: str  # process property name
    label: str  # as the SOP document prints it
    is_list: bool = False


# In the order the identity sheet prints them.
SCALAR_FIELDS = [
    IdentityField("nomor", "nomorSop", "Nomor SOP"),
    IdentityField("tanggal_pembuatan", "tanggalPembuatan", "Tanggal Pembuatan"),
    IdentityField("tanggal_revisi", "tanggalRevisi", "Tanggal Revisi"),
    IdentityField("tanggal_efektif", "tanggalEfektif", "Tanggal Efektif"),
    IdentityField("disahkan_jabatan", "disahkanOlehJabatan", "Disahkan oleh (jabatan)"),
    IdentityField("disahkan_nama", "disahkanOlehNama", "Disahkan oleh (nama)"),
    IdentityField("disahkan_pangkat", "disahkanOlehPangkat", "Disahkan oleh (pangkat/golongan)"),
    IdentityField("disahkan_nip", "disahkanOlehNip", "Disahkan oleh (NIP)"),
    IdentityField("nama", "namaSop", "Nama SOP"),
    IdentityField("organisation", "organisation", "Organisasi"),
    IdentityField("unit", "unit", "Unit kerja"),
]
# The two-column part of the sheet, as pairs (left, right), as Permenpan lays it out.
LIST_FIELDS = [
    IdentityField("dasar_hukum", "dasarHukum", "Dasar Hukum", True),
    IdentityField("kualifikasi", "kualifikasiPelaksana", "Kualifikasi Pelaksana", True),
    IdentityField("keterkaitan", "keterkaitan", "Keterkaitan", True),
    IdentityField("peralatan", "peralatanPerlengkapan", "Peralatan/Perlengkapan", True),
    IdentityField("peringatan", "peringatan", "Peringatan", True),
    IdentityField("pencatatan", "pencatatanPendataan", "Pencatatan dan Pendataan", True),
]
IDENTITY_FIELDS = SCALAR_FIELDS + LIST_FIELDS

# Task properties the flowchart table reads (the mutu baku ones are the runtime's own).
STEP_PROPERTY = "sopStep"
KETERANGAN_PROPERTY = "keterangan"


def list_property(name: str, index: int) -> str:
    """The property name of a list's item: ("dasarHukum", 1) -> "dasarHukum.1"."""
    return f"{name}.{index}"
