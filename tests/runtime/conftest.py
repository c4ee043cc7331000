"""Fixtures of the runtime tests."""
import pytest

from tests.conftest import PROCESSES, seed_lane_users

KALBAR_SKP = "kalbar-pengumpulan-skp"


@pytest.fixture
def sop(alur):
    """The engine with SOP Pengumpulan SKP (Kalimantan Barat) deployed and one user per lane."""
    alur.deploy(PROCESSES / f"{KALBAR_SKP}.bpmn")
    seed_lane_users(alur, KALBAR_SKP)
    return alur
