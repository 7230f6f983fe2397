"""What changed between two models, in model terms (see :mod:`onnxtext.diff.comparison`), and its reports."""

from onnxtext.diff.changes import Change, Detail, ModelDiff
from onnxtext.diff.comparison import diff_files, diff_models
from onnxtext.diff.report import render_json, render_text

__all__ = ["Change", "Detail", "ModelDiff", "diff_files", "diff_models", "render_json", "render_text"]
