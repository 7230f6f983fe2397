"""git drivers for ``.onnx`` files: textconv diffs and three-way merges of their documents."""
