"""Pictures of a model and of a change: Model Explorer's graph JSON made from the Index, and the
static pictures of a diff (Mermaid, SVG, a self-contained HTML page)."""
