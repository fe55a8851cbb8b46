"""Records behave like the dataclasses they replace, for every feature trustycheck uses."""

from __future__ import annotations

import pickle

import pytest

from trustycheck.records import FrozenInstanceError, field, record, replace


@record
class Box:
    name: str
    size: int = 1
    tags: list[str] = field(default_factory=list)


@record(frozen=True, slots=True)
class Point:
    line: int
    col: int
    path: str | None = field(default=None, compare=False)


@record(frozen=True)
class Label:
    text: str

    def __str__(self) -> str:
        return self.text.upper()


def test_init_defaults_and_a_fresh_factory_value_per_instance() -> None:
    first, second = Box("a"), Box("b", 3, ["x"])
    assert (first.name, first.size, first.tags) == ("a", 1, [])
    first.tags.append("y")
    assert Box("c").tags == [] and second.tags == ["x"]
    assert Box("a", tags=["t"]) == Box("a", 1, ["t"])  # fields by keyword, in declaration order
    with pytest.raises(TypeError):
        Box()  # type: ignore[call-arg]


def test_equality_repr_and_hashability() -> None:
    assert Box("a", 2) == Box("a", 2) and Box("a", 2) != Box("a", 3)
    assert Box("a") != ("a", 1, [])
    assert repr(Box("a", 2, ["t"])) == "Box(name='a', size=2, tags=['t'])"
    with pytest.raises(TypeError):
        hash(Box("a"))  # mutable records are unhashable, like dataclasses
    assert Point(1, 2, "a.yml") == Point(1, 2, "b.yml")  # compare=False leaves path out
    assert hash(Point(1, 2, "a.yml")) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2, "x"), Point(2, 1)}) == 2


def test_frozen_and_slots() -> None:
    point = Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        point.line = 5  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.col  # type: ignore[misc]
    with pytest.raises(AttributeError):
        point.other = 1  # type: ignore[attr-defined]
    assert not hasattr(point, "__dict__")
    with pytest.raises(FrozenInstanceError):
        Label("x").text = "y"  # type: ignore[misc]


def test_replace_and_pickle_keep_every_field() -> None:
    point = Point(1, 2, "a.yml")
    moved = replace(point, col=9)
    assert (moved.line, moved.col, moved.path) == (1, 9, "a.yml") and point.col == 2
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(point, colour=1)
    for value in (point, Box("a", 2, ["t"]), Label("x")):
        copy = pickle.loads(pickle.dumps(value))
        assert copy == value and repr(copy) == repr(value)
    assert pickle.loads(pickle.dumps(point)).path == "a.yml"


def test_methods_the_class_writes_are_kept_and_order_errors_are_clear() -> None:
    assert str(Label("x")) == "X"

    with pytest.raises(TypeError, match="'b' without a default follows a field with one"):
        @record
        class Wrong:
            a: int = 1
            b: int
