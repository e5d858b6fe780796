"""Which files of a revision ``ssot-check`` would check, and under what name.

The same choice as :func:`flake8_ssot.project.expand_paths` makes on a
checkout: files under the command-line paths, ``exclude`` and
``extend-exclude`` applied to each directory and file below a path,
``filename`` patterns to files found in a directory, a path naming a file
checked whatever its name.  Names are as the walk gives them
(``PATH/sub/file.py``); with no path given, relative to the working
directory (repository-relative when run from the top of the work tree), so
path scopes and ``per-file-ignores`` apply as on a checkout.
"""

from __future__ import annotations

import os
from typing import Sequence

from flake8_ssot.audit.git import BLOB_MODES, TREE_MODE, Repository
from flake8_ssot.project import Settings
from flake8_ssot.selection import any_of, matches_filename


class FileSelector:
    """Decides for repository-relative paths; decisions are remembered across revisions."""

    def __init__(self, top: str, paths: Sequence[str], settings: Settings, cwd: str | None = None) -> None:
        self.cwd = os.path.realpath(cwd or os.getcwd())
        self.top = top
        self.exclude = settings.exclude
        self.matches = any_of(tuple(settings.filename_patterns)) if settings.filename_patterns else None
        # (the argument as typed, its repository-relative path; "" for the top)
        self.roots = [(arg, self._in_repository(arg)) for arg in paths] or [("", self._in_repository("."))]
        self._decided: dict[str, str | None] = {}
        self._excluded: dict[str, bool] = {}
        self._listed: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def _in_repository(self, arg: str) -> str:
        relative = os.path.relpath(os.path.join(self.cwd, arg), self.top).replace(os.sep, "/")
        return "" if relative == "." else relative

    def _is_excluded(self, name: str) -> bool:
        found = self._excluded.get(name)
        if found is None:
            absolute = os.path.normpath(os.path.join(self.cwd, name))
            found = self._excluded[name] = matches_filename(name, self.exclude, absolute)
        return found

    def files(self, repo: Repository, tree: str, prefix: str = "") -> list[tuple[str, str]]:
        """(display name, blob sha) of every file checked in ``tree`` (at repository path ``prefix``), in
        git's order; remembered per subtree, so a commit costs the directories it changed."""
        key = (tree, prefix)
        found = self._listed.get(key)
        if found is None:
            found = []
            for entry in repo.entries(tree):
                path = prefix + entry.name
                if entry.mode == TREE_MODE:
                    if self._may_hold(path):
                        found += self.files(repo, entry.sha, path + "/")
                elif entry.mode in BLOB_MODES:
                    name = self.display_name(path)
                    if name is not None:
                        found.append((name, entry.sha))
            self._listed[key] = found
        return found

    def _may_hold(self, directory: str) -> bool:
        """Whether files under repository directory ``directory`` can be checked (under a path given)."""
        return any(not root or directory == root or directory.startswith(root + "/") or root.startswith(directory + "/")
                   for _arg, root in self.roots)

    def display_name(self, path: str) -> str | None:
        """The name the file at repository path ``path`` is checked under, or None if it is not checked."""
        if path in self._decided:
            return self._decided[path]
        found = None
        for arg, root in self.roots:
            found = self._under(arg, root, path)
            if found is not None:
                break
        self._decided[path] = found
        return found

    def _under(self, arg: str, root: str, path: str) -> str | None:
        if root == ".." or root.startswith("../"):
            return None  # a path outside the work tree
        if path == root:  # a file named on the command line: checked whatever its name
            return None if not arg or self._is_excluded(arg) else arg
        if root and not path.startswith(root + "/"):
            return None
        if arg and self._is_excluded(arg):
            return None
        # With no path given the names are relative to the working directory
        # (a walk of '.' without the './').
        name = arg
        for part in (path[len(root) + 1:] if root else path).split("/"):
            name = os.path.join(name, part) if name else part
            if self._is_excluded(name):
                return None
        if self.matches is not None and not self.matches(os.path.normcase(name)):
            return None
        return name
