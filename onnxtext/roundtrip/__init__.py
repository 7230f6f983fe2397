"""ModelProto <-> document tree: the only code that knows ONNX's protobuf fields."""

from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.encode import encode_model

__all__ = ["decode_model", "encode_model"]
