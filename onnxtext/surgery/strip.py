"""``strip``: take doc strings and metadata out of a model (``dump --strip-doc``).

``doc_string`` fields go from every message (model, graph, nodes, attributes, value infos, tensors,
functions), and unless ``metadata=False`` so do ``metadata_props`` (free-form key/value notes no
runtime reads).  What a model is (producer, versions, names) stays; a model with neither keeps its bytes.

Not ``onnx.helper.strip_doc_string``: it reads ``FieldDescriptor.label``, which protobuf 7 no
longer has, so it raises AttributeError on current installs (onnx 1.23 with protobuf 7).
"""

from __future__ import annotations

import onnx
from google.protobuf.message import Message


def strip_doc(model: onnx.ModelProto, *, metadata: bool = True) -> onnx.ModelProto:
    """A copy of ``model`` without doc strings (and, unless ``metadata`` is False, metadata_props)."""
    stripped = onnx.ModelProto()
    stripped.CopyFrom(model)
    _strip(stripped, ("doc_string", "metadata_props") if metadata else ("doc_string",))
    return stripped


def _strip(message: Message, fields: tuple[str, ...]) -> None:
    for field, value in message.ListFields():
        if field.name in fields:
            message.ClearField(field.name)
        elif field.message_type is not None:
            for item in value if field.is_repeated else (value,):
                _strip(item, fields)
