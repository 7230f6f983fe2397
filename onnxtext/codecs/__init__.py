"""Tensor payloads and scalar lists <-> document values, exactly: all 28 ONNX element types.

No text and no ModelProto walking here: :mod:`onnxtext.roundtrip` calls these on single fields and
tensors.  Modules: ``dtypes`` (the type table), ``floats`` and ``b64`` (exact scalar lists and
bytes), ``wire`` (exact float field bits), ``inline`` (readable values), ``storage`` (ONNX's
payload field rules), ``npy`` (sidecar files), ``payload`` (the compact tensor's payload keys),
``payload_encode`` and ``payload_decode`` (a payload's form, and reading it back), ``plain`` (tiny
payloads in bulk), ``held`` (big payloads kept out of the tree), ``digest`` (sha256 beside a copy),
``policy`` (which form a payload takes, which numbers may be bare).
"""

from onnxtext.codecs.b64 import decode_base64, decode_bytes, encode_base64, encode_bytes
from onnxtext.codecs.dtypes import DTYPE_NAMES, DTYPES, DType, dtype_by_name, dtype_by_onnx, dtype_hint
from onnxtext.codecs.floats import decode_floats, encode_floats
from onnxtext.codecs.npy import SidecarReader, SidecarWriter
from onnxtext.codecs.payload import PAYLOAD_KEYS
from onnxtext.codecs.payload_decode import decode_payload
from onnxtext.codecs.payload_encode import encode_payload
from onnxtext.codecs.policy import Policy
from onnxtext.codecs.wire import float_field_bytes, set_float_field_bytes, set_string_field_bytes

__all__ = [
    "DTYPES",
    "DTYPE_NAMES",
    "PAYLOAD_KEYS",
    "DType",
    "Policy",
    "SidecarReader",
    "SidecarWriter",
    "decode_base64",
    "decode_bytes",
    "decode_floats",
    "decode_payload",
    "dtype_by_name",
    "dtype_by_onnx",
    "dtype_hint",
    "encode_base64",
    "encode_bytes",
    "encode_floats",
    "encode_payload",
    "float_field_bytes",
    "set_float_field_bytes",
    "set_string_field_bytes",
]
