"""The package version, importable without importing onnx (``onnxtext --version`` stays instant)."""

__version__ = "0.1.0"
