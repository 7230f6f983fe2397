"""The language server: ``server`` holds the handlers, each translating one LSP request into library
calls (``translate`` converts positions and answers); ``scheduler`` decides when each version is
analysed (debounce, the worker thread, the collector policy); ``protocol`` is pygls's conversation
with this server's changes.  The library calls go to ``snapshot`` (one document version: Document,
Index, lint) and ``navigate``, ``hover``, ``complete``, ``outline``, ``fixes``, ``inlay``,
``shapes``, ``ops``."""
