"""A repository's files, each loaded and modelled once, for analyses that cross files.

The call graph reads called workflows and actions; the status command reads a whole
repository. Both go through a project so a file shared by several callers is read once.
Loading is handed in by the pipeline, so the model never reaches back to the loader.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from trustycheck.loader import Document
from trustycheck.model.workflow import Workflow, build_workflow

Load = Callable[[str], Document]


class Project:
    def __init__(self, root: str | None, load: Load, files: Callable[[str], list[str]] | None = None) -> None:
        self.root = root
        self._load = load
        self._files = files
        self._docs: dict[str, Document] = {}
        self._workflows: dict[str, Workflow | None] = {}
        self._keys: dict[str, str] = {}

    def document(self, path: str) -> Document:
        """The loaded file; a file reached under two spellings (``a/../b.yml``) is loaded once
        and keeps the first spelling, which is how findings will name it."""
        key = self._key(path)
        doc = self._docs.get(key)
        if doc is None:
            doc = self._docs[key] = self._load(path)
        return doc

    def add(self, doc: Document) -> None:
        """Use an already loaded document (tests, stdin)."""
        self._docs[self._key(doc.path)] = doc

    def _key(self, path: str) -> str:
        """The absolute path a file is known by (worked out once per spelling)."""
        key = self._keys.get(path)
        if key is None:
            key = self._keys[path] = os.path.abspath(path)
        return key

    def open(self, path: str) -> Workflow | None:
        """The model of ``path``; None when it is missing, unreadable or not a workflow/action."""
        key = self._key(path)
        if key in self._workflows:
            return self._workflows[key]
        if key not in self._docs and not os.path.isfile(path):
            self._workflows[key] = None
            return None
        workflow = build_workflow(self.document(path))
        self._workflows[key] = workflow
        return workflow

    def repository_files(self) -> list[str]:
        """Every workflow and local action of the repository (to find a file's callers)."""
        if self.root is None or self._files is None:
            return []
        return self._files(self.root)

    @property
    def documents(self) -> dict[str, Document]:
        """Loaded documents by the path they were first named with."""
        return {doc.path: doc for doc in self._docs.values()}
