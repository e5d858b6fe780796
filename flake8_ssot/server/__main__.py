"""``python -m flake8_ssot.server``: the language server over stdio."""

from flake8_ssot.server.server import main

raise SystemExit(main())
