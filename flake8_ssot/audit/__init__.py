"""Audits over git history: what a batch of work added, and how the suite moved.

``ssot-report --since REV`` audits the Python files added or changed since
the merge base of REV and HEAD (the working tree against that commit's
versions), and ``ssot-report --history RANGE`` audits sampled commits of a
range.  Files at a revision are read from git objects (``git ls-tree`` and
one ``git cat-file --batch`` process), never checked out, and checked with
the same core as ``ssot-check``; results are cached per blob.

- :mod:`.git`: the git commands, and the one-line errors (exit 2).
- :mod:`.blobs`: checking file contents, in parallel, with the per-blob cache.
- :mod:`.since` and :mod:`.history`: the two documents.
- :mod:`.render`: Markdown (sized for a pull-request comment), HTML, CSV and
  table output; :mod:`.chart` draws the charts with pygal (the ``charts`` extra).
"""
