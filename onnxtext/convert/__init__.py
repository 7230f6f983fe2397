"""Files in and out: the steps of a dump (model file -> document file) and a build (document -> model).

:mod:`onnxtext.api` is the facade over these; the modules here hold the orchestration: what is read,
in which order, and how nothing is left half-written.  Documents are read through
:class:`onnxtext.core.document.Document`, which places every error at ``file:line:col``.

- :mod:`.modelfile`: reading, writing and checking ``.onnx`` files, with errors that say what is wrong.
- :mod:`.dump` and :mod:`.build`: the two commands' steps.
"""
