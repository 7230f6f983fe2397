"""Where Model Explorer's web app is: the folder ``model_explorer/web_app`` of the installed
``ai-edge-model-explorer`` package, found without importing it (its import needs Flask, IPython and
a TFLite adapter that onnxtext never uses: ``pip install --no-deps ai-edge-model-explorer`` is enough).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from onnxtext.base.errors import OnnxTextError

INSTALL_HINT = "pip install 'onnxtext[view]' (or, lean: pip install --no-deps ai-edge-model-explorer)"


def web_app() -> Path:
    """The folder of Model Explorer's web app; E801 when the package is not installed."""
    spec = importlib.util.find_spec("model_explorer")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        app = Path(folder) / "web_app"
        if (app / "index.html").is_file():
            return app
    raise OnnxTextError(
        "E801", "Model Explorer's web app is not installed: the graph view needs it", hint=INSTALL_HINT
    )
