"""Files in and out: the steps of a dump (model file -> document file) and a build (document -> model).

:mod:`onnxtext.api` is the facade over these; the modules here hold the orchestration: what is read,
in which order, where errors are placed, and how nothing is left half-written.

- :mod:`.modelfile`: reading, writing and checking ``.onnx`` files, with errors that say what is wrong.
- :mod:`.source`: a document's text and where it came from, decoded with errors placed at their line.
- :mod:`.dump` and :mod:`.build`: the two commands' steps.
"""
