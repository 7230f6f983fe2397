"""The shared objects every feature reads through: the Document (text, tree, positions, decoded model) and
the Index of its graph (producers, consumers and scopes)."""
