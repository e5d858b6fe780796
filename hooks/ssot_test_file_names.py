#!/usr/bin/env python3
"""Run the ``ssot-test-file-names`` hook from a checkout of flake8-ssot.

    python hooks/ssot_test_file_names.py [--patterns GLOBS] FILE...

The implementation is ``flake8_ssot.hooks.file_names``, inside the
package so that an installed flake8-ssot (pre-commit's environment, pip)
runs it as the ``ssot-test-file-names`` console script; this file lets a
repository that vendors flake8-ssot call it as a ``language: script`` hook.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flake8_ssot.hooks.file_names import main  # noqa: E402 - after the path set-up

if __name__ == "__main__":
    sys.exit(main())
