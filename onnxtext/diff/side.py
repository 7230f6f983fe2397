"""One side of a comparison: a graph (or function) of model A or B, as the diff reads it.

Its structure (nodes, their names, inputs and outputs, subgraphs, paths) comes from the model's
:class:`~onnxtext.core.index.Index`; its contents (attributes, tensors, types, doc strings) from the
proto body at the scope's path; ``data_dir`` is where the model's external data lives.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path as FsPath

from onnx import ModelProto, NodeProto

from onnxtext.base.paths import Path
from onnxtext.core.index import Node, Scope
from onnxtext.roundtrip.patch import Body, body_at


@dataclasses.dataclass(frozen=True)
class Side:
    model: ModelProto
    scope: Scope
    data_dir: FsPath | None

    @property
    def path(self) -> Path:
        return self.scope.path

    @property
    def nodes(self) -> list[Node]:
        return self.scope.nodes

    @functools.cached_property
    def body(self) -> Body:
        return body_at(self.model, self.scope.path)

    @functools.cached_property
    def protos(self) -> list[NodeProto]:
        """The proto of each node, in the order of :attr:`nodes`."""
        return list(self.body.node)

    def of(self, scope: Scope) -> Side:
        """Another scope of the same model (a subgraph)."""
        return Side(self.model, scope, self.data_dir)
