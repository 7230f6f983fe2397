"""onnxtext: lossless ONNX <-> YAML/JSON.  ``dumps``/``loads`` mirror :mod:`json`."""

from onnxtext.api import dump, dumps, load, loads
from onnxtext.codecs.policy import Policy
from onnxtext.errors import OnnxTextError
from onnxtext.version import __version__

__all__ = ["OnnxTextError", "Policy", "__version__", "dump", "dumps", "load", "loads"]
