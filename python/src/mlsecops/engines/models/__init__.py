"""Model-file analysis: container and format detection, the pickle walker, trusted globals, per-format checks."""
