"""The language server: ``server`` maps LSP requests onto small modules over the shared Document,
Index and lint (``snapshot`` per document version, ``navigate``, ``hover``, ``complete``,
``outline``, ``fixes``, ``inlay``, ``shapes``, ``ops``)."""
