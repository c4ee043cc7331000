"""The identity of a deployable version: a hash of its BPMN text and the forms it uses.

Deploying the same content twice finds the version by this hash instead of
making a new one; changing the BPMN or any of its forms makes a new version.
"""
from __future__ import annotations

import hashlib


def version_hash(bpmn_text: str, forms: dict[str, str]) -> str:
    """SHA-256 (hex) of the BPMN text, then of each form as NUL, name, NUL, text, in name order.

    The NULs keep name and text apart, so ("ab", "c") and ("a", "bc") differ.
    """
    digest = hashlib.sha256(bpmn_text.encode())
    for name in sorted(forms):
        digest.update(b"\0" + name.encode() + b"\0" + forms[name].encode())
    return digest.hexdigest()
