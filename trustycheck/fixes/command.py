"""``trustycheck fix`` and ``trustycheck --fix``: fix files in place, or show the diff, and say
what is left to do (findings without a fix, secrets to delete, publishers to register).

Everything printed that comes from a file passes :func:`visible` and the credential masks, as
in every other report."""

from __future__ import annotations

import codecs
import difflib
import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field

from trustycheck.boundary import locate
from trustycheck.discover import Target
from trustycheck.engine.catalog import Rule
from trustycheck.fixes.engine import FileFix, fix_text
from trustycheck.fixes.publisher import PublisherSettings, publisher_settings, render_settings_text
from trustycheck.loader import MAX_BYTES
from trustycheck.masking import mask_secrets
from trustycheck.nodes import Pos
from trustycheck.report.excerpt import Excerpts
from trustycheck.report.visible import visible, visible_path


@dataclass(eq=False, repr=False)
class FixRun:
    """The outcome of fixing a set of files."""

    files: list[FileFix] = field(default_factory=list)
    settings: list[PublisherSettings] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return sum(len(outcome.remaining) for outcome in self.files)


def fix_targets(targets: Sequence[Target], rules: Sequence[Rule], *, unsafe: bool, write: bool,
                settings: bool = False) -> FixRun:
    """Fix each target's text; write the changed ones when ``write``."""
    run = FixRun()
    for target in targets:
        path = str(target.path)
        read = _read(path)
        if isinstance(read, str):
            run.files.append(FileFix(path, "", "", refused=read))
            continue
        real, bom, text = read
        outcome = fix_text(path, target.root, text, rules, unsafe)
        if write and outcome.changed:
            try:
                written = _write(real, bom + outcome.before.encode("utf-8"), bom + outcome.after.encode("utf-8"))
            except OSError as error:
                written = f"cannot write it: {error.strerror or error}"
            if written is not None:
                outcome.refused = written
                outcome.after = outcome.before
        if settings and outcome.analysis is not None:
            run.settings.extend(publisher_settings(outcome.analysis, path, target.root))
        run.files.append(outcome)
    return run


def _read(path: str) -> tuple[str, bytes, str] | str:
    """(real path, byte order mark, text) of a UTF-8 file of the repository, or why it is not
    fixed. As the loader does, only a regular file whose real path is inside the repository
    (not in ``.git``, not a link out of it) is read, and so written."""
    real, refused = locate(path)
    if refused is not None:
        return f"not fixed: {refused}"
    try:
        descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        return f"cannot read it: {error.strerror or error}"
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            return "not a regular file: not fixed"
        if status.st_nlink > 1:  # a file elsewhere (outside the repository) may share it
            return "it has another hard link, which writing it would change too: not fixed"
        if status.st_size > MAX_BYTES:
            return "too large to fix"
        data = handle.read(MAX_BYTES + 1)
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    try:
        return real, bom, data[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text: not fixed"


def _write(real: str, before: bytes, after: bytes) -> str | None:
    """Replace ``before`` with ``after`` in the file; why not, when it is no longer ``before``
    (saved by an editor while the fix ran: that edit must not be lost) or another file now."""
    descriptor = os.open(real, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "r+b") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
            return "it is not the file that was read any more: not fixed"
        if handle.read(len(before) + 1) != before:
            return "it changed while it was being fixed: not fixed (run the fix again)"
        handle.seek(0)
        handle.truncate()
        handle.write(after)
    return None


def render_diff(run: FixRun) -> str:
    """A unified diff of every change (line endings shown as plain line breaks)."""
    out: list[str] = []
    for outcome in run.files:
        if not outcome.changed:
            continue
        name = visible(outcome.path)
        before, after = _masked(*outcome.shown_before), _masked(*outcome.shown_after)
        out.extend(visible(line) for line in difflib.unified_diff(before, after, f"a/{name}", f"b/{name}", lineterm=""))
    return "".join(line + "\n" for line in out)


def _masked(lines: list[str], redactions: list[Pos]) -> list[str]:
    """Each line as reports show it: the credentials the model located masked, and every
    credential shape (a line with its line before, for a key folded onto it)."""
    excerpts = Excerpts(lines, redactions)
    count = len(lines) - (len(lines) > 1 and lines[-1] == "")  # the text's last line break ends a line
    return [excerpts.masked(number) for number in range(1, count + 1)]


def render_summary(run: FixRun, *, unsafe: bool, wrote: bool) -> str:
    """What was fixed, what was not and why, and what the user must do now."""
    out: list[str] = []
    applied = dropped = 0
    for outcome in run.files:
        name = visible_path(outcome.path)  # a file named ``::error::x.yml`` starts the line
        if outcome.refused:
            out.append(f"{name}: {outcome.refused}")
            continue
        said: set[str] = set()  # two uploads with one secret: say to delete it once
        for fix in outcome.applied:
            applied += 1
            out.append(f"{name}: {'fixed' if wrote else 'would fix'} {fix.rule_id}: {_shown(fix.description)}")
            for note in fix.notes:
                if note not in said:
                    said.add(note)
                    out.append(f"    then: {_shown(note)}")
        for drop in outcome.dropped:
            dropped += 1
            out.append(f"{name}: not fixed {drop.fix.rule_id}: {_shown(drop.fix.description)}: {_shown(drop.reason)}")
    files = sum(1 for outcome in run.files if outcome.changed)
    verb = "Applied" if wrote else "Would apply"
    out.append(f"{verb} {applied} fix{'es' * (applied != 1)} in {files} file{'s' * (files != 1)}; "
               f"{run.remaining} finding{'s' * (run.remaining != 1)} remain{'s' * (run.remaining == 1)}"
               + (f"; {dropped} fix{'es' * (dropped != 1)} dropped" if dropped else "") + ".")
    unsafe_left = sum(outcome.unsafe_available for outcome in run.files)
    if not unsafe and unsafe_left:
        out.append(f"{unsafe_left} more fix{'es' * (unsafe_left != 1)} change{'s' * (unsafe_left == 1)} behaviour "
                   "(Trusted Publishing, environments): review them with --unsafe --diff, apply with --unsafe.")
    return "\n".join(out) + "\n"


def _shown(text: str) -> str:
    return visible(mask_secrets(text))


def render_settings(run: FixRun, output_format: str) -> str:
    if output_format == "json":
        return json.dumps([entry.as_json() for entry in run.settings], indent=2, ensure_ascii=False) + "\n"
    return render_settings_text(run.settings)  # each line already visible (no splitlines(): it
    # splits at \x1c, \x85, \u2028 too, which would make such a character a line break)


def run_fix_command(paths: tuple[str, ...], *, diff: bool, unsafe: bool, show_settings: bool, output_format: str,
                    config_file: str | None, isolated: bool) -> int:
    """The ``fix`` command: exit 0 when no finding is left (or would be, with ``--diff``), 1
    when some remain."""
    from trustycheck.cli import EXIT_CLEAN, EXIT_FINDINGS, UsageProblem, _emit
    from trustycheck.config import ConfigError
    from trustycheck.discover import DiscoveryError, discover
    from trustycheck.engine.catalog import CatalogError
    from trustycheck.settings import SelectionError, resolve

    try:
        settings = resolve(paths, config_file=config_file, isolated=isolated)
        targets = discover(list(paths))
    except (DiscoveryError, SelectionError, CatalogError, ConfigError) as error:
        raise UsageProblem(str(error)) from None
    run = fix_targets(targets, settings.rules, unsafe=unsafe, write=not diff, settings=show_settings)
    if show_settings and output_format == "json":
        _emit(render_settings(run, "json"), is_json=True)
    else:
        out = render_diff(run) if diff else ""
        out += render_summary(run, unsafe=unsafe, wrote=not diff)
        if show_settings:
            out += "\n" + render_settings(run, "text")
        _emit(out)
    return EXIT_FINDINGS if run.remaining else EXIT_CLEAN


def fix_before_lint(targets: Sequence[Target], rules: Sequence[Rule]) -> None:
    """``trustycheck --fix``: apply the safe fixes, say so on standard error; the lint that
    follows reports what is left."""
    import sys

    run = fix_targets(targets, rules, unsafe=False, write=True)
    if any(outcome.applied or outcome.dropped or outcome.refused for outcome in run.files):
        sys.stderr.write(render_summary(run, unsafe=False, wrote=True))
