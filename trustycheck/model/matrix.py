"""The values a job's ``strategy.matrix`` gives each key, where the workflow spells them out.

An artifact named ``python-${{ matrix.python-version }}-build`` is ``python-3.12-build`` and
never ``python-cibw-sdist``: knowing the listed values keeps such names apart, where treating
the expression as a wildcard would not.
"""

from __future__ import annotations

from trustycheck.model.expressions import expression_spans
from trustycheck.nodes import Mapping, Node, Scalar, Sequence

_MAX_NAMES = 256
"""Past this many combinations a name is treated as a wildcard (cheap, and still sound)."""


def matrix_values(job: Mapping, key: str) -> list[str] | None:
    """Every value ``matrix.<key>`` takes in the job (``''`` where an ``include`` combination
    leaves it unset), or ``None`` when a value is an expression or not a plain scalar."""
    strategy = job.get("strategy")
    matrix = strategy.get("matrix") if isinstance(strategy, Mapping) else None
    if not isinstance(matrix, Mapping):
        return None
    values: list[str] = []
    listed = matrix.get(key)
    if listed is not None:
        if not isinstance(listed, Sequence) or not all(_plain(item) for item in listed):
            return None
        values.extend(item.as_string() for item in listed if isinstance(item, Scalar))
    includes = matrix.get("include")
    if includes is not None:
        if not isinstance(includes, Sequence):
            return None
        for entry in includes:
            if not isinstance(entry, Mapping):
                return None
            value = entry.get(key)
            if value is None:
                values.append("")  # or a listed value, when it extends combinations: '' keeps it sound
            elif isinstance(value, Scalar) and _plain(value):
                values.append(value.as_string())
            else:
                return None
    return values or None


def _plain(node: Node) -> bool:
    return isinstance(node, Scalar) and "${{" not in node.as_string()


def expand_names(job: Mapping, text: str) -> list[str]:
    """The names ``text`` can become in the job: each ``${{ matrix.<key> }}`` replaced by each
    value the matrix gives it, any other expression by ``*``."""
    names = [""]
    position = 0
    for start, end in expression_spans(text) + [(len(text), len(text))]:
        literal = text[position:start]
        names = [name + literal for name in names]
        if start == end:
            break
        inner = text[start + 3:end - 2].strip()
        key = inner[len("matrix."):] if inner.startswith("matrix.") else ""
        values = matrix_values(job, key) if key and all(char.isalnum() or char in "_-" for char in key) else None
        if values is None or len(names) * len(set(values)) > _MAX_NAMES:
            values = ["*"]
        names = [name + value for name in names for value in dict.fromkeys(values)]
        position = end
    return names
