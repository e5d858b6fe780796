"""The git commands the audits need; nothing is ever checked out.

Every failure the user can cause (not a work tree, an unknown revision, a
shallow clone without the revision, no git at all) is a :class:`GitError`
with a one-line message: ``ssot-report`` prints it and exits 2.
"""

from __future__ import annotations

import os
import subprocess
from typing import IO, NamedTuple, Sequence

PREFIX = "ssot-report"
BLOB_MODES = frozenset({"100644", "100755"})  # not symlinks (120000) nor submodules (160000)
TREE_MODE = "40000"


class GitError(Exception):
    """A one-line reason why the history cannot be read."""


class Commit(NamedTuple):
    sha: str
    time: int  # committer time, seconds since the epoch
    date: str  # committer date, ISO 8601 with its offset
    subject: str


class TreeEntry(NamedTuple):
    mode: str  # as in a tree object: "40000" a directory, "100644" a file, ...
    name: str
    sha: str


class Change(NamedTuple):
    status: str  # A added, M modified, R renamed (also C copied, T type changed), D deleted
    old_path: str | None  # repository-relative, None when added
    new_path: str | None  # repository-relative, None when deleted


class Repository:
    """The git work tree that contains ``cwd``; raises GitError if there is none."""

    def __init__(self, cwd: str | None = None) -> None:
        self.cwd = os.path.abspath(cwd or os.getcwd())
        try:
            inside = self._git("rev-parse", "--is-inside-work-tree", check=False)
        except FileNotFoundError:
            raise GitError(f"{PREFIX}: git is not installed (--since and --history read git history)") from None
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            raise GitError(f"{PREFIX}: not a git work tree: {self.cwd} (--since and --history read git history)")
        self.top = os.path.realpath(self.run("rev-parse", "--show-toplevel").strip())
        self.shallow = self.run("rev-parse", "--is-shallow-repository").strip() == "true"
        self._batch: subprocess.Popen[bytes] | None = None
        self._trees: dict[str, list[TreeEntry]] = {}

    # ------------------------------------------------------------ plumbing
    def _git(self, *args: str, check: bool = True, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=self.cwd, input=stdin, capture_output=True,
        )
        if check and result.returncode != 0:
            reason = result.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(f"{PREFIX}: git {args[0]} failed: {reason[-1] if reason else result.returncode}")
        return result

    def run(self, *args: str) -> str:
        return self._git(*args).stdout.decode("utf-8", "surrogateescape")

    # ----------------------------------------------------------- revisions
    def resolve(self, rev: str) -> str:
        """The commit ``rev`` names, as a full sha."""
        found = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
        if found.returncode == 0:
            return found.stdout.decode().strip()
        raise self._missing(f"unknown revision {rev!r}", f" (a branch, tag or commit of {self.top})")

    def merge_base(self, rev: str, head: str = "HEAD") -> str:
        """The merge base of ``rev`` and ``head``."""
        first, second = self.resolve(rev), self.resolve(head)
        found = self._git("merge-base", first, second, check=False)
        if found.returncode == 0:
            return found.stdout.decode().strip()
        raise self._missing(f"{rev!r} and {head} have no common ancestor")

    def _missing(self, what: str, hint: str = "") -> GitError:
        """History that is not there: in a shallow clone, perhaps only not fetched."""
        if self.shallow:
            return GitError(f"{PREFIX}: {what} in this shallow clone: fetch the history it needs "
                            "(git fetch --unshallow, or --deepen N)")
        return GitError(f"{PREFIX}: {what}{hint}")

    def commit(self, sha: str) -> Commit:
        return self.commits([sha, "-1"])[0]

    def commits(self, revisions: Sequence[str]) -> list[Commit]:
        """``git log --first-parent`` over ``revisions`` (resolved shas, ``^sha`` exclusions), oldest first."""
        out = self.run("log", "--first-parent", "--reverse", "--format=%H%x00%ct%x00%cI%x00%s%x00", *revisions)
        fields = out.split("\0")
        return [
            Commit(fields[i].strip(), int(fields[i + 1]), fields[i + 2], fields[i + 3])
            for i in range(0, len(fields) - 3, 4)
        ]

    # --------------------------------------------------------------- trees
    def tree(self, commit: str) -> dict[str, str]:
        """Every regular file of ``commit``: repository-relative path -> blob sha."""
        out = self._git("ls-tree", "-r", "-z", "--full-tree", commit).stdout
        files = {}
        for entry in out.split(b"\0"):
            if not entry:
                continue
            meta, _, path = entry.partition(b"\t")
            mode, kind, sha = meta.split(b" ")
            if kind == b"blob" and mode.decode() in BLOB_MODES:
                files[path.decode("utf-8", "surrogateescape")] = sha.decode()
        return files

    def changes(self, base: str) -> list[Change]:
        """The files the working tree changed since ``base`` (renames found),
        then the untracked files git does not ignore, as added."""
        out = self.run("diff", "--name-status", "-z", "-M", "--no-ext-diff", base, "--")
        fields = out.split("\0")
        changes, i = [], 0
        while i < len(fields) - 1:
            status = fields[i][:1]
            if status in "RC":
                changes.append(Change(status, fields[i + 1], fields[i + 2]))
                i += 3
                continue
            path = fields[i + 1]
            changes.append(Change(status, None if status == "A" else path, None if status == "D" else path))
            i += 2
        untracked = self.run("ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--", self.top)
        changes += [Change("A", None, path) for path in untracked.split("\0") if path]
        return changes

    def working_blob(self, path: str) -> tuple[str, str] | None:
        """(repository path, blob sha) of a file of the working tree as it is now; None outside the work tree."""
        relative = os.path.relpath(os.path.realpath(path), self.top).replace(os.sep, "/")
        if relative.startswith("../") or not os.path.isfile(path):
            return None
        return relative, self.run("hash-object", "--", os.path.abspath(path)).strip()

    def root_tree(self, commit: str) -> str:
        """The sha of a commit's tree."""
        data = self.read_object(commit)
        if not data.startswith(b"tree "):
            raise GitError(f"{PREFIX}: {commit} is not a commit")
        return data[5:45].decode()

    def entries(self, tree: str) -> list[TreeEntry]:
        """A tree object's entries (one level), read once per tree for the run:
        a directory unchanged between two commits is the same tree."""
        found = self._trees.get(tree)
        if found is None:
            data, found, at = self.read_object(tree), [], 0
            while at < len(data):
                space = data.index(b" ", at)
                nul = data.index(b"\0", space)
                found.append(TreeEntry(data[at:space].decode(), data[space + 1:nul].decode("utf-8", "surrogateescape"),
                                       data[nul + 1:nul + 21].hex()))
                at = nul + 21
            self._trees[tree] = found
        return found

    def blob_at(self, tree: str, path: str) -> str | None:
        """The sha of the regular file at repository path ``path`` in ``tree``, or None."""
        *directories, name = path.split("/")
        for directory in directories:
            tree = next((e.sha for e in self.entries(tree) if e.name == directory and e.mode == TREE_MODE), "")
            if not tree:
                return None
        return next((e.sha for e in self.entries(tree) if e.name == name and e.mode in BLOB_MODES), None)

    # --------------------------------------------------------------- blobs
    def read_object(self, sha: str) -> bytes:
        return self.read_blobs([sha])[sha]

    def read_blobs(self, shas: Sequence[str]) -> dict[str, bytes]:
        """The contents of objects, from one ``git cat-file --batch`` process kept for the run."""
        batch = self._batch_process()
        assert batch.stdin is not None and batch.stdout is not None
        found = {}
        for sha in dict.fromkeys(shas):
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            found[sha] = _read_object(batch.stdout, sha)
        return found

    def _batch_process(self) -> subprocess.Popen[bytes]:
        if self._batch is None or self._batch.poll() is not None:
            self._batch = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.cwd,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        return self._batch

    def close(self) -> None:
        if self._batch is not None:
            assert self._batch.stdin is not None
            self._batch.stdin.close()
            self._batch.wait()
            self._batch = None

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --------------------------------------------------------------- paths
    def relative_to_cwd(self, path: str) -> str:
        """A repository-relative path as the working directory names it (``a/b.py``, ``../c/d.py``)."""
        return os.path.relpath(os.path.join(self.top, path), self.cwd)


def _read_object(stream: IO[bytes], sha: str) -> bytes:
    header = stream.readline().split()
    if len(header) != 3:
        raise GitError(f"{PREFIX}: git cat-file cannot read blob {sha}: {b' '.join(header).decode(errors='replace')}")
    data = stream.read(int(header[2]))
    stream.read(1)  # the newline after the contents
    return data
