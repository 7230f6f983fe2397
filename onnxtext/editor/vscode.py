"""What VS Code reads from onnxtext: the snippets and the tasks (with their problem matcher).

One source for both places they go: ``onnxtext editor-setup`` writes them into ``.vscode/``, and
``editor-snippets/`` holds the same text for people who copy by hand (a test keeps the two equal).
Snippets are YAML in document format 2; each body, with its placeholders' defaults, validates
against the schema (tested).

The problem matcher reads the diagnostic line every command prints,
``file:line:col: severity CODE message`` (then ``  hint: ...``, which it leaves for the terminal),
and, for a file without lines (a ``.onnx``), ``file: severity CODE message [at path]``, which it
puts on the whole file.
"""

from __future__ import annotations

import json
from typing import Any

LINE_DIAGNOSTIC = r"^(.+?):(\d+):(\d+): (error|warning|info) ([A-Z]+[0-9]+) (.*)$"
FILE_DIAGNOSTIC = r"^(.+?): (error|warning|info) ([A-Z]+[0-9]+) (.*) \[at (.+)\]$"
WATCH_BEGINS = "^onnxtext: lint started"
WATCH_ENDS = "^onnxtext: lint finished"

_MATCHERS: list[dict[str, Any]] = [
    {
        "owner": "onnxtext",
        "source": "onnxtext",
        "fileLocation": ["autoDetect", "${workspaceFolder}"],
        "pattern": {
            "regexp": LINE_DIAGNOSTIC,
            "file": 1,
            "line": 2,
            "column": 3,
            "severity": 4,
            "code": 5,
            "message": 6,
        },
    },
    {
        "owner": "onnxtext",
        "source": "onnxtext",
        "fileLocation": ["autoDetect", "${workspaceFolder}"],
        "pattern": {
            "regexp": FILE_DIAGNOSTIC,
            "kind": "file",
            "file": 1,
            "severity": 2,
            "code": 3,
            "message": 4,
        },
    },
]


def _task(label: str, args: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "label": label,
        "type": "shell",
        "command": "onnxtext",
        "args": args,
        "presentation": {"reveal": "silent", "clear": True},
        "problemMatcher": _MATCHERS,
        **extra,
    }


TASKS: dict[str, Any] = {
    "version": "2.0.0",
    "tasks": [
        _task(
            "onnxtext: build current document",
            ["build", "${file}", "-o", "${fileDirname}/${fileBasenameNoExtension}.onnx", "--force"],
            group={"kind": "build", "isDefault": True},
        ),
        _task(
            "onnxtext: lint current document", ["lint", "${file}"], group={"kind": "test", "isDefault": True}
        ),
        _task("onnxtext: lint workspace", ["lint", "${workspaceFolder}"], group="test"),
        _task(
            "onnxtext: lint on save",
            ["editor-setup", "--watch", "${workspaceFolder}"],
            isBackground=True,
            runOptions={"runOn": "folderOpen"},
            problemMatcher=[
                {
                    **matcher,
                    "background": {
                        "activeBegin": False,
                        "beginsPattern": WATCH_BEGINS,
                        "endsPattern": WATCH_ENDS,
                    },
                }
                for matcher in _MATCHERS
            ],
        ),
    ],
}


def _snippet(prefix: str, description: str, *body: str) -> dict[str, Any]:
    return {"scope": "yaml", "prefix": prefix, "body": list(body), "description": description}


SNIPPETS: dict[str, dict[str, Any]] = {
    "onnxtext node": _snippet(
        "node",
        "A graph node",
        "- op_type: ${1:Relu}",
        "  name: ${2:/model/Relu}",
        "  inputs: [${3:x}]",
        "  outputs: [${4:y}]",
    ),
    "onnxtext node with attributes": _snippet(
        "nodea",
        "A graph node with its attributes on one line",
        "- op_type: ${1:Conv}",
        "  name: ${2:/model/Conv}",
        "  inputs: [${3:x}, ${4:w}]",
        "  outputs: [${5:y}]",
        "  attributes: {${6:kernel_shape: [3, 3], strides: [1, 1]}}",
    ),
    "onnxtext constant": _snippet(
        "const",
        "A Constant node: the tensor is the value attribute itself",
        "- op_type: Constant",
        "  name: ${1:/model/Constant}",
        "  outputs: [${2:c}]",
        "  attributes: {value: {type: '${3:int64[2]}', values: [${4:1, -1}]}}",
    ),
    "onnxtext tensor attribute": _snippet(
        "atensor",
        "A TENSOR attribute: the tensor mapping itself (under attributes:)",
        "${1:value}: {type: '${2:float32[1]}', values: [${3:0.0}]}",
    ),
    "onnxtext element type attribute": _snippet(
        "adtype",
        "An attribute that holds an element type, by name (Cast to, RandomNormal dtype...)",
        "${1:to}: ${2:float16}",
    ),
    "onnxtext empty list attribute": _snippet(
        "aempty",
        "An empty list attribute: its type says which kind of list",
        "${1:axes}: {type: ${2:INTS}}",
    ),
    "onnxtext attribute reference": _snippet(
        "aref",
        "In a function body: an attribute taken from the function call's attribute",
        "${1:alpha}: {type: ${2:FLOAT}, ref_attr_name: ${3:alpha}}",
    ),
    "onnxtext graph attribute": _snippet(
        "agraph",
        "A GRAPH attribute: the graph mapping itself (under attributes:)",
        "${1:body}:",
        "  name: ${2:body}",
        "  outputs:",
        "    - {name: ${3:branch_y}, type: '${4:float32}'}",
        "  nodes:",
        "    - op_type: ${5:Identity}",
        "      inputs: [${6:x}]",
        "      outputs: [${3:branch_y}]",
    ),
    "onnxtext initializer": _snippet(
        "init",
        "An initializer written as numbers",
        "- {name: ${1:shape}, type: '${2:int64[2]}', values: [${3:1, -1}]}",
    ),
    "onnxtext initializer npy": _snippet(
        "initnpy",
        "An initializer whose bytes are in a .npy file beside the document",
        "- {name: ${1:weight}, type: '${2:float32[64,3,7,7]}', npy: ${3:model.tensors/weight.npy}}",
    ),
    "onnxtext value info": _snippet(
        "vi",
        "A graph input, output or value_info entry",
        "- {name: ${1:input}, type: '${2:float32[N,3,224,224]}'}",
    ),
    "onnxtext if": _snippet(
        "if",
        "An If node with its two branches",
        "- op_type: If",
        "  name: ${1:/model/If}",
        "  inputs: [${2:cond}]",
        "  outputs: [${3:y}]",
        "  attributes:",
        "    then_branch:",
        "      name: ${4:then}",
        "      outputs:",
        "        - {name: ${5:then_y}, type: '${6:float32}'}",
        "      nodes:",
        "        - op_type: ${7:Identity}",
        "          inputs: [${8:x}]",
        "          outputs: [${5:then_y}]",
        "    else_branch:",
        "      name: ${9:else}",
        "      outputs:",
        "        - {name: ${10:else_y}, type: '${6:float32}'}",
        "      nodes:",
        "        - op_type: ${11:Identity}",
        "          inputs: [${12:x}]",
        "          outputs: [${10:else_y}]",
    ),
    "onnxtext loop": _snippet(
        "loop",
        "A Loop node: the body takes (iteration, condition, carried...) and gives (condition, carried...)",
        "- op_type: Loop",
        "  name: ${1:/model/Loop}",
        "  inputs: [${2:trip_count}, ${3:cond}, ${4:x}]",
        "  outputs: [${5:y}]",
        "  attributes:",
        "    body:",
        "      name: ${6:body}",
        "      inputs:",
        "        - {name: ${7:i}, type: 'int64[]'}",
        "        - {name: ${8:cond_in}, type: 'bool[]'}",
        "        - {name: ${9:x_in}, type: '${10:float32}'}",
        "      outputs:",
        "        - {name: ${11:cond_out}, type: 'bool[]'}",
        "        - {name: ${12:x_out}, type: '${10:float32}'}",
        "      nodes:",
        "        - op_type: Identity",
        "          inputs: [${8:cond_in}]",
        "          outputs: [${11:cond_out}]",
        "        - op_type: ${13:Identity}",
        "          inputs: [${9:x_in}]",
        "          outputs: [${12:x_out}]",
    ),
    "onnxtext function": _snippet(
        "function",
        "A model-local function (under functions:); call it with op_type: <name>, domain: <domain>",
        "- name: ${1:MyFunction}",
        "  domain: ${2:my.domain}",
        "  opset_import: {'': ${3:21}}",
        "  inputs: [${4:x}]",
        "  outputs: [${5:y}]",
        "  attributes: [${6:alpha}]",
        "  nodes:",
        "    - op_type: ${7:LeakyRelu}",
        "      inputs: [${4:x}]",
        "      outputs: [${5:y}]",
        "      attributes: {alpha: {type: FLOAT, ref_attr_name: ${6:alpha}}}",
    ),
}


def render(value: Any) -> str:
    """The file text of :data:`TASKS` or :data:`SNIPPETS` (2-space JSON, as VS Code writes it)."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
