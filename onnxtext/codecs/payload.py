"""The compact tensor's payload keys: ``storage`` and one of ``values``/``base64``/``npy`` (+ ``sha256``).

The compact form holds payloads that agree with the tensor's type and dims: ``raw_data`` of the
right length, or the typed field ONNX uses for the type with the right number of entries.
Anything else (an invalid model) is written field by field, which is exact too.
:mod:`.payload_encode` decides a payload's form, :mod:`.payload_decode` reads it back and checks
every length, so that a truncated Base64 string is an error at its line rather than a model the
checker rejects.

``storage`` names the typed field the data lives in; absent means ``raw_data``.  A payload
mapping with none of the keys means the tensor has no payload at all.  ``digest`` (``dump
--tensors digest``) summarises a payload for reading and cannot be built.
"""

from __future__ import annotations

STORAGE, VALUES, BASE64, NPY, SHA256 = "storage", "values", "base64", "npy", "sha256"
DIGEST = "digest"
PAYLOAD_KEYS: frozenset[str] = frozenset({STORAGE, VALUES, BASE64, NPY, SHA256, DIGEST})
FORMS = (VALUES, BASE64, NPY, DIGEST)
