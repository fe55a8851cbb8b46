"""Records: the part of :mod:`dataclasses` trustycheck uses, without its start-up cost.

A pre-commit run lints one small file in a few milliseconds, so start-up is most of its time.
``import dataclasses`` imports :mod:`inspect` (≈ 8 ms here) and decorating a class costs
≈ 0.6 ms; the 30-odd model classes took ≈ 30 ms before any file was read. A record costs one
small ``exec`` (≈ 0.05 ms) and behaves like a dataclass for what we use: fields from the
class annotations, defaults and ``default_factory``, ``__init__``/``__repr__``/``__eq__``,
``frozen`` (and hashing), ``slots``, ``compare=False`` and :func:`replace`.

Like dataclasses, a method the class writes itself is never replaced.
"""

from __future__ import annotations

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


class _Field:
    __slots__ = ("default", "default_factory", "compare")

    def __init__(self, default: object, default_factory: object, compare: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.compare = compare


def field(*, default: object = _MISSING, default_factory: object = _MISSING, compare: bool = True) -> object:
    """A field with a default, a default factory (called per instance) or left out of ``==``."""
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("a field cannot have both a default and a default_factory")
    return _Field(default, default_factory, compare)


def record(cls: type | None = None, /, *, frozen: bool = False, slots: bool = False):
    """Class decorator: ``@record`` or ``@record(frozen=True, slots=True)``."""

    def decorate(cls: type) -> type:
        return _build(cls, frozen, slots)

    return decorate if cls is None else decorate(cls)


def fields(instance_or_class: object) -> tuple[str, ...]:
    """The field names, in order."""
    return instance_or_class.__record_fields__  # type: ignore[union-attr]


def replace(instance: object, /, **changes: object) -> object:
    """A copy of ``instance`` with ``changes`` applied (a new object, even for frozen records)."""
    values = {name: getattr(instance, name) for name in instance.__record_fields__}  # type: ignore[attr-defined]
    unknown = set(changes) - values.keys()
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return type(instance)(**values)


def _build(cls: type, frozen: bool, slots: bool) -> type:
    annotations = cls.__dict__.get("__annotations__", {})
    names = [name for name, kind in annotations.items() if not str(kind).startswith(("ClassVar", "typing.ClassVar"))]
    namespace: dict[str, object] = {"_MISSING": _MISSING, "_set": object.__setattr__, "_Frozen": FrozenInstanceError}
    params: list[str] = []
    assignments: list[str] = []
    compared: list[str] = []
    for name in names:
        declared = cls.__dict__.get(name, _MISSING)
        spec = declared if isinstance(declared, _Field) else _Field(declared, _MISSING, True)
        if spec.default_factory is not _MISSING:
            namespace[f"_factory_{name}"] = spec.default_factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif spec.default is not _MISSING:
            namespace[f"_default_{name}"] = spec.default
            params.append(f"{name}=_default_{name}")
            value = name
        elif params and params[-1].find("=") > 0:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows a field with one")
        else:
            params.append(name)
            value = name
        assignments.append(f"_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
        if spec.compare:
            compared.append(name)
        if isinstance(declared, _Field):
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)

    def values(prefix: str, chosen: list[str]) -> str:
        return "(" + "".join(f"{prefix}.{name}, " for name in chosen) + ")"

    methods = {
        "__init__": f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(assignments) or "pass"),
        "__repr__": "def __repr__(self):\n    return f'" + cls.__qualname__ + "("
        + ", ".join(f"{name}={{self.{name}!r}}" for name in names) + ")'",
        "__eq__": "def __eq__(self, other):\n    if other.__class__ is self.__class__:\n"
        f"        return {values('self', compared)} == {values('other', compared)}\n    return NotImplemented",
    }
    if frozen:
        methods["__hash__"] = f"def __hash__(self):\n    return hash({values('self', compared)})"
        methods["__setattr__"] = "def __setattr__(self, name, value):\n    raise _Frozen(f'cannot assign to field {name!r}')"
        methods["__delattr__"] = "def __delattr__(self, name):\n    raise _Frozen(f'cannot delete field {name!r}')"
    if slots:
        methods["__getstate__"] = f"def __getstate__(self):\n    return {values('self', names)}"
        methods["__setstate__"] = (
            f"def __setstate__(self, state):\n    for name, value in zip({tuple(names)!r}, state):\n"
            "        _set(self, name, value)"
        )
    wanted = {name: source for name, source in methods.items() if name not in cls.__dict__}
    exec("\n".join(wanted.values()), namespace)  # noqa: S102 - our own generated source, as dataclasses does
    if not frozen and "__eq__" not in cls.__dict__ and "__hash__" not in cls.__dict__:
        namespace["__hash__"] = None  # mutable and compared by value: unhashable, like a dataclass
        wanted["__hash__"] = ""
    if slots:
        cls = _with_slots(cls, names)
    for name in wanted:
        function = namespace[name]
        if function is not None:
            function.__qualname__ = f"{cls.__qualname__}.{name}"  # type: ignore[attr-defined]
        setattr(cls, name, function)
    cls.__record_fields__ = tuple(names)  # type: ignore[attr-defined]
    return cls


def _with_slots(cls: type, names: list[str]) -> type:
    """A copy of ``cls`` whose instances keep their fields in slots (no per-instance dict)."""
    body = {key: value for key, value in cls.__dict__.items() if key not in ("__dict__", "__weakref__", *names)}
    body["__slots__"] = tuple(names)
    rebuilt = type(cls)(cls.__name__, cls.__bases__, body)
    rebuilt.__qualname__ = cls.__qualname__
    return rebuilt
