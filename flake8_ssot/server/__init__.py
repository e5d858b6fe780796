"""``ssot-lsp``: a Language Server Protocol server for the flake8-ssot rules.

Needs the ``lsp`` extra (``pip install 'flake8-ssot[lsp]'``: pygls and
lsprotocol); see :mod:`flake8_ssot.server.server`.
"""
