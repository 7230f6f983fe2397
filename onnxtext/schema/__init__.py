"""The JSON Schema of the document (comes with the schema issue)."""
