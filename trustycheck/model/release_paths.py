"""Where release files travel inside a publishing job: where a download puts an artifact, and
which paths the upload to PyPI reads.

A job builds what is released only if its files reach the upload (issue 17, mechanism 5), so
the paths matter: files downloaded next to the upload (release notes, a signing directory) do
not. Paths are compared by their literal directory prefix; anything that cannot be read (an
expression, a shell variable, a script that moves files, a tool of unknown layout) reaches
everything, so an unknown path still feeds. Defaults from each tool's reference: the PyPA
action's ``packages-dir`` is ``dist``, ``uv publish`` reads ``dist/*``, ``poetry publish`` and
``pdm publish`` read ``dist``, ``hatch publish`` reads ``dist``; ``actions/download-artifact``
writes to the workspace unless given ``path:``, each artifact in a directory named after it
when it downloads several (no ``name:``) without ``merge-multiple: true``.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.model import actions
from trustycheck.model.actions import PYPA_INPUTS
from trustycheck.model.expressions import replace_expressions
from trustycheck.model.launchers import unwrap
from trustycheck.model.shell import split_commands
from trustycheck.model.workflow import Step
from trustycheck.nodes import Mapping, Node, Scalar

Reads = tuple[str, ...] | None
"""Directory prefixes an upload reads (``""``: the whole workspace); ``None``: unknown."""

_WORKSPACE = ("$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}", "$PWD", "${PWD}", "$(pwd)")
_UNKNOWN = "*"
"""What an expression or a variable stands for in a path: any directory."""


@dataclass(eq=False, repr=False)
class _Layout:
    """How an upload tool's command line names the files it uploads."""

    value_options: frozenset[str]
    """Options that take the next word as their value."""
    positional: bool
    """Its operands are the files (``twine upload dist/*``)."""
    default: str | None
    """What it reads with no operand (``None``: it needs one)."""
    dir_options: frozenset[str] = frozenset()
    """Options naming the directory it reads (``poetry publish --dist-dir``)."""


_LAYOUTS = {
    ("twine", "upload"): _Layout(frozenset({"-r", "--repository", "--repository-url", "-u", "--username", "-p", "--password",
                                            "-c", "--comment", "--config-file", "--cert", "--client-cert", "-i", "--identity",
                                            "--sign-with"}), True, None),
    ("uv", "publish"): _Layout(frozenset({"--publish-url", "--check-url", "--index", "-t", "--token", "-u", "--username",
                                          "-p", "--password", "--trusted-publishing", "--keyring-provider", "--cache-dir",
                                          "--directory", "--project", "--config-file", "--allow-insecure-host"}), True, "dist"),
    ("hatch", "publish"): _Layout(frozenset({"-r", "--repo", "-u", "--user", "-a", "--auth", "--ca-cert", "--client-cert",
                                             "--client-key", "-p", "--publisher", "-o", "--option"}), True, "dist"),
    ("poetry", "publish"): _Layout(frozenset(), False, "dist", frozenset({"--dist-dir"})),
    ("pdm", "publish"): _Layout(frozenset(), False, "dist", frozenset({"-d", "--dest"})),
}


def normal_path(text: str) -> str:
    """A path as a directory prefix relative to the workspace (``./dist/*.whl`` -> ``dist``,
    ``${{ github.workspace }}/dist`` -> ``dist``); ``""`` for the workspace or anything unknown."""
    text = text.strip().strip("'\"")
    text = replace_expressions(text, lambda expression: _WORKSPACE[0] if "github.workspace" in expression else _UNKNOWN)
    for prefix in _WORKSPACE:
        if text.startswith(prefix):
            text = text[len(prefix):].lstrip("/")
            break
    cut = min((index for index in (text.find(c) for c in "*?[$`") if index >= 0), default=-1)
    if cut >= 0:
        text = text[:cut].rsplit("/", 1)[0] if "/" in text[:cut] else ""
    parts = [part for part in text.split("/") if part not in ("", ".")]
    return ("/" if text.startswith("/") and parts else "") + "/".join(parts)


def reaches(destination: str, reads: Reads) -> bool:
    """Whether files put under ``destination`` may be among those read: one path holds the other."""
    if reads is None:
        return True
    where = destination.split("/") if destination else []
    for read in reads:
        wanted = read.split("/") if read else []
        if where[:len(wanted)] == wanted or wanted[:len(where)] == where:
            return True
    return False


def download_destination(step: Step) -> str:
    """Where a download step puts the artifacts (the workspace by default)."""
    text = actions.input_text(step, "path")
    return normal_path(text) if text is not None else ""


def publish_reads(step: Step, job_node: Mapping, workflow_node: Mapping) -> Reads:
    """The paths a PyPI upload step reads; ``None`` when they cannot be known (a release task,
    another repository's action, a tool that builds its own files)."""
    if step.uses is not None:
        spec = actions.action_spec(step)
        if spec is None or spec.uploads != PYPA_INPUTS:
            return None
        given = actions.input_text(step, "packages-dir") or actions.input_text(step, "packages_dir")
        return (normal_path(given) if given else "dist",)
    if step.run is None or _default_directory(job_node) or _default_directory(workflow_node):
        return None
    reads: list[str] = []
    for command in split_commands(step.run.as_string()):
        found = _command_reads(command.words)
        if found is None:
            return None
        reads.extend(found)
    if not reads:
        return None
    directory = _scalar(step.node, "working-directory")
    if directory is not None:
        base = normal_path(directory)
        reads = [path if path.startswith("/") else "/".join(part for part in (base, path) if part) for path in reads]
    return tuple(reads)


def moved(script: str, destination: str) -> bool:
    """Whether a script between download and upload names the download's directory (and may
    move its files where the upload reads)."""
    return bool(destination) and destination in script


def _command_reads(words: list[str]) -> list[str] | None:
    """What one command of an upload script reads: ``[]`` for a command that uploads nothing,
    ``None`` for an upload whose files cannot be known."""
    launched = unwrap(words)
    words = launched.words
    if len(words) < 2:
        return []
    layout = _LAYOUTS.get((launched.program, words[1]))
    if layout is None:
        return []
    operands: list[str] = []
    index = 2
    while index < len(words):
        word = words[index]
        name = word.split("=", 1)[0]
        if name in layout.dir_options:
            value = word.split("=", 1)[1] if "=" in word else (words[index + 1] if index + 1 < len(words) else "")
            return [normal_path(value)]
        if word.startswith("-"):
            index += 2 if word in layout.value_options else 1
            continue
        operands.append(word)
        index += 1
    if layout.positional and operands:
        return [normal_path(operand) for operand in operands]
    return [layout.default] if layout.default is not None else None


def _default_directory(node: Mapping) -> bool:
    """Whether ``defaults: run: working-directory:`` moves every script elsewhere."""
    defaults = node.entries.get("defaults")
    run = defaults[1].entries.get("run") if defaults is not None and isinstance(defaults[1], Mapping) else None
    return run is not None and isinstance(run[1], Mapping) and "working-directory" in run[1].entries


def _scalar(node: Node, key: str) -> str | None:
    pair = node.entries.get(key) if isinstance(node, Mapping) else None
    return pair[1].as_string() if pair is not None and isinstance(pair[1], Scalar) else None
