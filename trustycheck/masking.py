"""Credentials masked in any text trustycheck shows: the one filter every output passes.

The model records where it found a credential written into a file (those spans are masked by
position). This is the second net, by shape and by place, for every line, message and
justification that reaches an output, whatever rule flagged it:

- well-known token shapes anywhere: PyPI API tokens, GitHub tokens (``ghp_``, ``gho_``,
  ``ghu_``, ``ghs_``, ``ghr_``, ``github_pat_``);
- the password of a URL's userinfo (``https://__token__:SECRET@upload.pypi.org/legacy/``);
- the value given to a key or variable whose name says it is a credential (``password =``
  in a ``.pypirc``, ``export TWINE_PASSWORD=``, ``UV_PUBLISH_TOKEN:``), unless the value is
  a reference (``$VAR``, ``${{ secrets.X }}``), which is no secret;
- the value of a credential option of an upload command (``--password``, ``-p`` after
  ``twine upload``/``poetry publish``/...), and poetry's ``http-basic.<repo> <user> <password>``
  and ``pypi-token.<repo> <token>``.

Every scan is linear: literal anchors found with ``str.find`` or a regex that starts with a
literal and has one bounded quantifier, each followed by a bounded look around them.
"""

from __future__ import annotations

from trustycheck.model.pypi import token_spans
from trustycheck.patterns import lazy_pattern

MASK = "********"

_GITHUB_TOKEN = lazy_pattern(r"(?:gh[pousr]_[A-Za-z0-9]{30,251}|github_pat_[A-Za-z0-9_]{22,251})")
"""GitHub's token formats: a prefix naming the kind, then base62 (fine-grained: with ``_``)."""

_CREDENTIAL_PARTS = frozenset({"password", "passwd", "token", "secret", "apikey", "auth"})
"""A key or variable holds a credential when a part of its name (split at ``_``, ``-``, ``.``)
is one of these, case-insensitively: TWINE_PASSWORD, PYPI_API_TOKEN, HATCH_INDEX_AUTH; not
``author`` or ``secrets`` (``secrets: inherit``)."""
_NOT_CREDENTIAL_NAMES = frozenset({"id-token", "__token__"})
"""``permissions: id-token: write`` names a permission, not a token; ``__token__`` is the
user name of every PyPI token upload (``__token__:SECRET@`` is a URL's userinfo)."""
_NOT_SECRET_VALUES = frozenset({"true", "false", "yes", "no", "null", "none", "read", "write", "~"})

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
_NAME_LOOKBACK = 64
"""Longest key name considered before ``=`` or ``:``."""

_ASSIGNMENT = lazy_pattern(r"[=:]")
_BETWEEN = frozenset(" \t\\\n")
"""What may stand between a name and its ``=``: blanks, and a YAML fold (backslash, line break,
indentation, escaped blank)."""

_OPTION = lazy_pattern(r"(?<![\w-])(?:--password|--token|--api-token|--auth|-p|-P|-t|-a)(?=[\s=]|$)")
"""Credential options of upload commands (twine, poetry, pdm, uv, hatch); the short ones only
count on a line that uploads."""
_LONG_OPTIONS = ("--password", "--token", "--api-token", "--auth")
_UPLOAD_WORDS = ("upload", "publish")

_POETRY_KEYS = (("http-basic.", 2), ("pypi-token.", 1))
"""poetry config keys and how many words after the key come before the secret value."""


def mask_secrets(text: str, *, same_width: bool = False) -> str:
    """``text`` with every credential it holds replaced by :data:`MASK` (or, with
    ``same_width``, by as many ``*`` as it has characters, so columns after it stay put)."""
    spans = secret_spans(text)
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in spans:
        if end <= position:
            continue
        if start < position:  # overlaps the span just masked: that mask now reaches further
            if same_width:
                pieces.append("*" * (end - position))
        else:
            pieces.append(text[position:start])
            pieces.append("*" * (end - start) if same_width else MASK)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def mask_line(line: str, previous: str = "") -> str:
    r"""A source line with its credentials masked, each character by one ``*``. ``previous`` is
    the line before it: a double-quoted YAML scalar folded there (``password\`` then
    ``\ = secret``) puts the key on one line and its value on the next."""
    if not previous:
        return mask_secrets(line, same_width=True)
    offset = len(previous) + 1
    spans = [(max(start - offset, 0), end - offset) for start, end in secret_spans(f"{previous}\n{line}") if end > offset]
    for start, end in spans:
        line = line[:start] + "*" * (end - start) + line[end:]
    return line


def secret_spans(text: str) -> list[tuple[int, int]]:
    """Sorted (start, end) character spans of the credentials in ``text``."""
    spans = list(token_spans(text)) if "pypi-" in text else []
    if "gh" in text:
        spans.extend(match.span() for match in _GITHUB_TOKEN.finditer(text))
    if "@" in text and "://" in text:
        spans.extend(_userinfo_passwords(text))
    spans.extend(_credential_assignments(text))
    spans.extend(_credential_options(text))
    spans.extend(_poetry_config_values(text))
    return sorted(spans)


def _userinfo_passwords(text: str) -> list[tuple[int, int]]:
    """The password in ``scheme://user:password@host``: between the first ``:`` of the
    authority and its last ``@``."""
    spans = []
    start = text.find("://")
    while start != -1:
        authority_start = start + 3
        end = _first_of(text, "/ \t\"'", authority_start)
        at = text.rfind("@", authority_start, end)
        colon = text.find(":", authority_start, at) if at != -1 else -1
        if colon != -1 and colon + 1 < at and not _is_reference(text[colon + 1:at]):
            spans.append((colon + 1, at))
        start = text.find("://", end)
    return spans


def _credential_assignments(text: str) -> list[tuple[int, int]]:
    """Values after ``NAME=`` or ``NAME:`` (``NAME = `` too) where NAME names a credential."""
    spans: list[tuple[int, int]] = []
    consumed = 0
    for match in _ASSIGNMENT.finditer(text):
        separator = match.start()
        if separator < consumed:
            continue
        name_end = separator
        while name_end > 0 and text[name_end - 1] in _BETWEEN and separator - name_end < 24:
            name_end -= 1
        name_start = name_end
        while name_start > 0 and text[name_start - 1] in _NAME_CHARS and name_end - name_start < _NAME_LOOKBACK:
            name_start -= 1
        if not _names_a_credential(text[name_start:name_end].lower()):
            continue
        value = _value_after(text, separator + 1)
        if value is not None:
            spans.append(value)
            consumed = value[1]
    return spans


def _names_a_credential(name: str) -> bool:
    if not name or name in _NOT_CREDENTIAL_NAMES:
        return False
    return "password" in name or not _CREDENTIAL_PARTS.isdisjoint(_NAME_SEPARATORS.split(name))


_NAME_SEPARATORS = lazy_pattern(r"[_.-]")


def _credential_options(text: str) -> list[tuple[int, int]]:
    """The word after a credential option (``--password X``, ``--password=X``, ``-p X``)."""
    if "-" not in text:
        return []
    uploads = any(word in text for word in _UPLOAD_WORDS)
    spans: list[tuple[int, int]] = []
    consumed = 0
    for match in _OPTION.finditer(text):
        if match.start() < consumed or (match.group() not in _LONG_OPTIONS and not uploads):
            continue
        value = _value_after(text, match.end())
        if value is not None:
            spans.append(value)
            consumed = value[1]
    return spans


def _poetry_config_values(text: str) -> list[tuple[int, int]]:
    """``poetry config http-basic.<repo> <user> <password>`` and ``pypi-token.<repo> <token>``."""
    spans = []
    for key, words_before in _POETRY_KEYS:
        start = text.find(key)
        while start != -1:
            position = _skip_word(text, start)  # the key and its repository name
            for _ in range(words_before - 1):
                position = _skip_word(text, _skip_blanks(text, position))
            value = _value_after(text, position)
            if value is not None:
                spans.append(value)
                position = value[1]
            start = text.find(key, max(position, start + 1))
    return spans


def _value_after(text: str, position: int) -> tuple[int, int] | None:
    """The span of the word (or quoted string) that starts after blanks at ``position``;
    ``None`` when there is none or it is a reference (``$X``, ``${{ ... }}``), not a secret."""
    start = _skip_fold(text, _skip_blanks(text, position))
    if start < len(text) and text[start] in "=":  # --password=VALUE
        start += 1
    if start >= len(text):
        return None
    quote = text[start] if text[start] in "\"'" else ""
    if quote:
        end = text.find(quote, start + 1)
        start, end = start + 1, (len(text) if end == -1 else end)
    else:
        end = _first_of(text, " \t\n\"';,)}]`", start)
    value = text[start:end]
    if not value or _is_reference(value) or value.lower() in _NOT_SECRET_VALUES:
        return None
    return start, end


def _is_reference(value: str) -> bool:
    """``$VAR``, ``${VAR}``, ``${{ expression }}``, ``%VAR%``: where a secret comes from, not
    a secret; ``__token__`` is a user name."""
    stripped = value.strip()
    return stripped.startswith(("$", "%")) or stripped in ("__token__", "") or stripped.lower().startswith(_CONTEXTS)


_CONTEXTS = ("secrets.", "inputs.", "env.", "vars.", "github.", "steps.", "needs.", "matrix.", "secrets[")
"""Expression contexts: trustycheck's messages name a credential's source as ``secrets.X``."""


def _skip_blanks(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t":
        position += 1
    return position


def _skip_fold(text: str, position: int) -> int:
    r"""Past a double-quoted YAML scalar's fold (``\`` at a line's end, then the next line's
    indentation and an escaped blank ``\ ``), which stands for nothing or one blank."""
    if text.startswith("\\\n", position):
        position = _skip_blanks(text, position + 2)
        if text.startswith("\\ ", position):
            position += 2
        position = _skip_blanks(text, position)
    return position


def _skip_word(text: str, position: int) -> int:
    return _first_of(text, " \t\n", position)


def _first_of(text: str, stops: str, start: int) -> int:
    """The index of the first character of ``stops`` in ``text`` from ``start``, or its length.
    One pass over the text (a ``find`` per stop character could rescan it each time)."""
    for index in range(start, len(text)):
        if text[index] in stops:
            return index
    return len(text)
