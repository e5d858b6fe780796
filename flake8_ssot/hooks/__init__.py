"""pre-commit hooks that are not AST rules (documented in the top-level hooks/ directory)."""
