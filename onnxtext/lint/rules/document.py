"""Codes reported while reading the document (the parser and the decoder) or by the commands that
rewrite documents (``fmt``, the git merge driver), registered so that ``--explain``, ``--list-rules``,
``--select`` and ``noqa`` know them, ``L101``, the warning count ``build`` prints, and ``L102``, what
``lint --fix`` says of a ``.onnx`` file.
"""

from __future__ import annotations

from onnxtext.lint.registry import Rule, register

_DECODER = {
    "E101": ("syntax-error", "the text is not valid YAML/JSON (or uses anchors, aliases, several documents)"),
    "E102": ("duplicate-key", "a key appears twice in one mapping"),
    "E201": ("unknown-key", "a key the element does not have (the hint suggests the closest one)"),
    "E202": (
        "wrong-kind",
        "a value of the wrong kind (a list where a mapping belongs, a string for a number)",
    ),
    "E203": ("bad-type-string", "a type string that does not parse (float32[N,3])"),
    "E204": ("unknown-name", "an unknown element type or enum name"),
    "E205": ("bad-attribute", "an attribute value that is no attribute literal (say {type: INTS} for [])"),
    "E206": ("missing-key", "an element lacks a key it needs"),
    "E207": ("format-version", "the document's format version is not supported"),
    "E301": ("payload-count", "tensor values do not fit the tensor's type and dims"),
    "E302": ("bad-base64", "a Base64 payload is not valid or has the wrong length"),
    "E303": ("sidecar-missing", "an .npy sidecar is missing or unreadable"),
    "E304": ("sidecar-changed", "an .npy sidecar changed since the dump (sha256 differs)"),
    "E305": ("unsafe-sidecar", "an .npy reference is absolute or leaves the document's folder"),
    "E306": ("sidecar-mismatch", "an .npy sidecar's dtype or shape does not match the tensor's type"),
    "E307": ("digest-payload", "a tensor written as a digest (dump --tensors digest) has no bytes to build"),
}
_REWRITING = {
    "E701": (
        "fmt-comment",
        "`fmt` cannot keep a comment with the element it annotates",
        "Reported by `onnxtext fmt`, which refuses to rewrite the file rather than lose a comment.",
        "Bad:\n    type: {elem_type: FLOAT, shape: [1, 3]}  # a comment inside a form fmt rewrites\n"
        "Good:\n    type: 'float32[1,3]'  # a comment on the element's own line",
    ),
    "E702": (
        "merge-conflict",
        "the git merge driver found changes to the same element on both branches",
        "Reported by `onnxtext git-merge` (git's merge driver for .onnx files): the branch's model is\n"
        "left as it was and the conflicting document is written beside it with conflict markers.",
        "Bad:\n    both branches change attributes.alpha of node 'act'\n"
        "Good:\n    resolve the markers in model.conflict.yaml, build it over the model, git add it",
    ),
}
_READING = "Reported while reading the document: the element is skipped and reading goes on, so\none run "
_READING += "reports every such problem."


for _code, (_name, _summary) in _DECODER.items():
    register(Rule(_code, _name, "error", _summary, _READING, stage="decoder"))

for _code, (_name, _summary, _who, _example) in _REWRITING.items():
    register(Rule(_code, _name, "error", _summary, f"{_who}\n\n{_example}", stage="decoder"))

register(
    Rule(
        "L101",
        "warning-count",
        "info",
        "`build` counts its warnings in one line",
        "`onnxtext build` lints first; an error stops it, and the warnings are counted in one line\n"
        "(after the error, if there is one) by code. `onnxtext lint FILE` lists them all.",
        stage="decoder",
    )
)

register(
    Rule(
        "L102",
        "binary-not-fixable",
        "info",
        "`lint --fix` cannot fix a .onnx file in place",
        "Fixes are edits of a document's text, and a .onnx file has none: dump it, fix the document,\n"
        "build it back (the hint gives the three commands). Reported by `lint --fix` for a model with\n"
        "findings that have a fix.",
        stage="decoder",
    )
)
