"""flake8-ssot: lint test suites against their SSOT conventions."""

__version__ = "0.1.0"
