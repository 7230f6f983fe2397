"""The bottom floor: the error and diagnostic types, document paths, progress, the garbage-collector policy,
the document tree's layout hint and the version.  Nothing here imports another onnxtext package."""
