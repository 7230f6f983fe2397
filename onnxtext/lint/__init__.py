"""Lint rules over the document tree and its source map (rules come with the linter issue)."""
