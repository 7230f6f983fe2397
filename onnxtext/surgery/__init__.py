"""Model surgery: one operation per module, each a function over ModelProto, thin over onnx's own APIs.

=============  ===============================================  ===================================
module         function                                         used by
=============  ===============================================  ===================================
``prune``      :func:`prune.prune`                              ``build --prune``
``extract``    :func:`extract.extract`                          ``onnxtext extract``
``rename``     :func:`rename.rename`                            ``onnxtext rename``
``merge``      :func:`merge.merge`                              ``onnxtext merge``
``opset``      :func:`opset.convert`                            ``build --opset N``
``shapes``     :func:`shapes.infer_shapes`                      ``build/dump --infer-shapes``
``dedupe``     :func:`dedupe.dedupe`                            ``build --dedupe``
``names``      :func:`names.name_nodes`                         ``fmt --name-nodes``
``strip``      :func:`strip.strip_doc`                          ``dump --strip-doc``
``summary``    :func:`summary.summarize`                        ``onnxtext summary``
``parity``     :func:`parity.compare`                           ``onnxtext compare``
``verify``     :func:`verify.verified`                          every command that writes a surgery
``files``      :func:`files.read_any`, :func:`files.write_any`  the commands' models in and out
=============  ===============================================  ===================================

Every function returns a new model and leaves its argument alone; one that finds nothing to do
returns a model with the same bytes.  Errors (OnnxTextError): ``E601`` a name that the model does
not have, ``E602`` a rename refused (collision, capture), ``E603`` an opset the converter cannot
reach, ``E604`` models that cannot be merged, ``E605`` shape inference failed, ``E606`` a model that
cannot be run (compare), ``E607`` a result that would not be a valid model (a cut that does not
separate the graph; anything onnx.checker or onnxruntime would refuse: :mod:`.verify`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import onnx

from onnxtext.surgery import dedupe as _dedupe
from onnxtext.surgery import opset as _opset
from onnxtext.surgery import prune as _prune
from onnxtext.surgery import shapes as _shapes
from onnxtext.surgery import strip as _strip
from onnxtext.surgery import verify as _verify

Transform = Callable[[onnx.ModelProto], onnx.ModelProto]


@dataclasses.dataclass(frozen=True)
class Pipeline:
    """Surgeries applied one after the other, and whether the result is held to :func:`~.verify.verified`.

    ``verifies`` tells a build that the transform has run onnx.checker's full check on its result
    (and loaded it in onnxruntime) already, so the build need not check the model in memory again.
    """

    steps: tuple[Transform, ...]
    surgeries: str  # the options that asked for the surgeries a result is verified after

    @property
    def verifies(self) -> bool:
        return bool(self.surgeries)

    def __call__(self, model: onnx.ModelProto) -> onnx.ModelProto:
        result = model
        for step in self.steps:
            result = step(result)
        return _verify.verified(result, [model], f"build {self.surgeries}") if self.verifies else result


def pipeline(
    *,
    prune: bool = False,
    dedupe: bool = False,
    opset: int | None = None,
    infer_shapes: bool = False,
    strip_doc: bool = False,
    report: Callable[[str], None] = lambda _: None,
) -> Pipeline | None:
    """The surgeries ``build``/``dump`` options ask for, as one transform (None when none is asked).

    Order: prune (less to do after), dedupe, opset conversion, doc strings out, shape inference last
    (so the value_info describes the final model).  ``report`` receives what dedupe saved.  A result
    that prune, dedupe or the opset conversion made invalid is refused (:func:`~.verify.verified`).
    """
    steps: list[Transform] = []
    if prune:
        steps.append(_prune.prune)
    if dedupe:

        def deduped(model: onnx.ModelProto) -> onnx.ModelProto:
            result, saved = _dedupe.dedupe(model)
            report(str(saved))
            return result

        steps.append(deduped)
    if opset is not None:
        steps.append(lambda model: _opset.convert(model, opset))
    if strip_doc:
        steps.append(_strip.strip_doc)
    if infer_shapes:
        steps.append(_shapes.infer_shapes)
    if not steps:
        return None
    asked = (("--prune", prune), ("--dedupe", dedupe), (f"--opset {opset}", opset is not None))
    return Pipeline(tuple(steps), " ".join(option for option, wanted in asked if wanted))
