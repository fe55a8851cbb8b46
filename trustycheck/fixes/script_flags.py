"""Credential options in an upload command (``twine upload -u __token__ -p "$TOKEN" dist/*``):
the edits that delete them from the script, where the file writes them on one line.

Only the option and its value are deleted, with the blank before them; an env var of the
step that only they read goes too. A value is one word, a quoted string or a ``${{ ... }}``
expression; anything else (a value running over a line break, an option the model did not
place exactly) is left to the user."""

from __future__ import annotations

from trustycheck.fixes.text import Edit, Source, remove_keys
from trustycheck.model.tools import ToolSpec
from trustycheck.nodes import Mapping, Pos, Scalar


def flag_edits(flag: Pos, run: Scalar, step: Mapping, spec: ToolSpec, source: Source) -> list[Edit] | None:
    """Edits deleting the credential option at ``flag`` and the user option on its line (and
    the step's env vars only they read) from the script ``run``; ``None`` when not possible."""
    start, end = source.span(run)
    at = source.offset(flag.line, flag.col)
    if not start <= at < end:
        return None
    line_start, line_end = source.line_starts[flag.line - 1], source.line_ends[flag.line - 1]
    password = _option_at(source.text, at, line_end, spec.password_flags + spec.token_flags)
    if password is None:
        return None
    spans = [password]
    command_start, command_end = _command_span(source.text, line_start, line_end, at)
    for user in spec.user_flags:
        found = _find_option(source.text, command_start, command_end, user)
        if found is not None and found not in spans:
            spans.append(found)
    edits = [Edit(begin, stop, "") for begin, stop in spans]
    script = _without(source.text, spans)[start:end - sum(stop - begin for begin, stop in spans)]
    deleted = " ".join(source.text[begin:stop] for begin, stop in spans)
    unused = {key.text for key, _ in _env(step) if reads_variable(deleted, key.text) and not reads_variable(script, key.text)}
    dropped = remove_keys(step, "env", unused, source) if unused else []
    return None if dropped is None else edits + dropped


def _command_span(text: str, line_start: int, line_end: int, at: int) -> tuple[int, int]:
    """The part of the line holding the command at ``at``: between the shell separators
    (``;``, ``&&``, ``||``, ``|``) around it, so another command's ``-u`` (``curl -u``) stays."""
    start = max((text.rfind(separator, line_start, at) + 1 for separator in ";&|"), default=line_start)
    ends = [found for found in (text.find(separator, at, line_end) for separator in ";&|") if found != -1]
    return max(start, line_start), min(ends, default=line_end)


def _env(step: Mapping) -> list[tuple[Scalar, object]]:
    env = step.get("env")
    return [(key, value) for key, value in env.pairs if isinstance(key, Scalar)] if isinstance(env, Mapping) else []


def reads_variable(text: str, name: str) -> bool:
    """Whether a script reads the variable ``name`` (``$NAME``, ``${NAME}``)."""
    return f"${name}" in text or f"${{{name}}}" in text


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    for begin, stop in sorted(spans, reverse=True):
        text = text[:begin] + text[stop:]
    return text


def _option_at(text: str, at: int, line_end: int, names: tuple[str, ...]) -> tuple[int, int] | None:
    """The span of the option starting at ``at`` and its value, with the blank before it."""
    for name in sorted(names, key=len, reverse=True):
        if not text.startswith(name, at):
            continue
        after = at + len(name)
        if after < line_end and text[after] == "=" and name.startswith("--"):
            value_end = _value_end(text, after + 1, line_end)
        elif after < line_end and text[after] in " \t":
            value_start = after
            while value_start < line_end and text[value_start] in " \t":
                value_start += 1
            value_end = _value_end(text, value_start, line_end)
        else:
            continue
        if value_end is None or at == 0 or text[at - 1] not in " \t":
            return None
        return at - 1, value_end
    return None


def _find_option(text: str, line_start: int, line_end: int, name: str) -> tuple[int, int] | None:
    """The span of option ``name`` (as a whole word) and its value on one line, if there."""
    position = line_start
    while True:
        found = text.find(name, position, line_end)
        if found == -1:
            return None
        ends_word = found + len(name) < line_end and text[found + len(name)] in " \t="
        if found > line_start and text[found - 1] in " \t" and ends_word:
            return _option_at(text, found, line_end, (name,))
        position = found + 1


def _value_end(text: str, start: int, line_end: int) -> int | None:
    """Where a shell word starting at ``start`` ends, on the same line."""
    if start >= line_end:
        return None
    if text.startswith("${{", start):
        close = text.find("}}", start, line_end)
        return None if close == -1 else close + 2
    quote = text[start]
    if quote in "\"'":
        close = text.find(quote, start + 1, line_end)
        return None if close == -1 else close + 1
    end = start
    while end < line_end and text[end] not in " \t;&|":
        end += 1
    return end if end > start else None
