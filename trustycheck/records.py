"""Records: the part of :mod:`dataclasses` trustycheck uses, without its start-up cost.

A pre-commit run lints one small file in a few milliseconds, so start-up is most of its time.
``import dataclasses`` imports :mod:`inspect` (≈ 8 ms here) and decorating a class costs
≈ 0.6 ms; the 30-odd model classes took ≈ 30 ms before any file was read. A record costs one
small ``exec`` for its ``__init__`` (≈ 0.06 ms) and behaves like a dataclass for what we use: fields from the
class annotations, defaults and ``default_factory``, ``__init__``/``__repr__``/``__eq__``,
``frozen`` (and hashing), ``slots``, ``compare=False`` and :func:`replace`.

Like dataclasses, a method the class writes itself is never replaced.
"""

from __future__ import annotations

from operator import attrgetter

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
    namespace: dict[str, object] = {"_MISSING": _MISSING, "_set": object.__setattr__}
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
        elif params and "=" in params[-1]:
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

    source = f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(assignments) or "pass")
    key = _fields_getter(compared)
    methods = {"__init__": _first_init(source, namespace), "__repr__": _repr, "__eq__": _equality(key)}
    if frozen:
        methods.update(__hash__=_hashing(key), __setattr__=_refuse_set, __delattr__=_refuse_delete)
    elif "__eq__" not in cls.__dict__ and "__hash__" not in cls.__dict__:
        methods["__hash__"] = None  # mutable and compared by value: unhashable, like a dataclass
    if slots:
        methods.update(__getstate__=_state_getter(names), __setstate__=_set_state)
        cls = _with_slots(cls, names)
    for name, method in methods.items():
        own = cls.__dict__.get(name, _MISSING)
        if own is not _MISSING and not (name == "__hash__" and own is None):
            continue  # the class wrote its own (Python sets __hash__ None for a class with __eq__)
        setattr(cls, name, method)
    cls.__record_fields__ = tuple(names)  # type: ignore[attr-defined]
    return cls


# Only __init__ is generated (it is called for every instance, so it must be plain attribute
# assignments); the other methods are shared, with operator.attrgetter doing the field reads.


def _first_init(source: str, namespace: dict[str, object]):
    """An ``__init__`` that compiles the real one on the first instance and puts it on the
    class: a run pays only for the records it makes (a third of them are never made)."""

    def __init__(self, *args, **kwargs):
        cls = type(self)
        owner = next(klass for klass in cls.__mro__ if klass.__dict__.get("__init__") is __init__)
        exec(source, namespace)  # noqa: S102 - our own generated source, as dataclasses does
        real = namespace["__init__"]
        real.__qualname__ = f"{owner.__qualname__}.__init__"  # type: ignore[attr-defined]
        owner.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)  # type: ignore[operator]

    return __init__


def _fields_getter(names: list[str]):
    """A function returning the tuple of ``names``' values of an instance."""
    if len(names) > 1:
        return attrgetter(*names)
    if not names:
        return lambda instance: ()
    get = attrgetter(names[0])
    return lambda instance: (get(instance),)


def _equality(key):
    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hashing(key):
    def __hash__(self):
        return hash(key(self))

    return __hash__


def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
    return f"{type(self).__qualname__}({shown})"


def _refuse_set(self, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delete(self, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _state_getter(names: list[str]):
    get = _fields_getter(names)

    def __getstate__(self):
        return get(self)

    return __getstate__


def _set_state(self, state: tuple) -> None:
    for name, value in zip(self.__record_fields__, state):
        object.__setattr__(self, name, value)


def _with_slots(cls: type, names: list[str]) -> type:
    """A copy of ``cls`` whose instances keep their fields in slots (no per-instance dict)."""
    body = {key: value for key, value in cls.__dict__.items() if key not in ("__dict__", "__weakref__", *names)}
    body["__slots__"] = tuple(names)
    rebuilt = type(cls)(cls.__name__, cls.__bases__, body)
    rebuilt.__qualname__ = cls.__qualname__
    return rebuilt
