"""Tests for provpack.frozen: quick_init's __init__ behaves as the one dataclass writes, and stays frozen."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provpack import model
from provpack.frozen import quick_init

QUICK = [cls for cls in vars(model).values()
         if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
         and cls.__init__.__code__.co_filename.startswith("<quick_init")]


def _reference(cls: type) -> type:
    """The same fields in a plain frozen, slotted dataclass: the __init__ that dataclass writes."""
    return dataclasses.make_dataclass(
        cls.__name__, [(item.name, item.type, item) for item in dataclasses.fields(cls)], frozen=True, slots=True)


def test_the_model_classes_made_per_document_have_it() -> None:
    """Every model class with plain fields has the quick __init__ (only PackageResult, with a factory, has not)."""
    names = {cls.__name__ for cls in QUICK}
    assert {"Span", "Segment", "Marker", "Elision", "ParsedField", "Document", "Analysis", "FieldValue",
            "Metadata", "RecordSpec", "DocumentSummary", "SourceFile", "Totals", "FetchFailure"} <= names
    assert "PackageResult" not in names


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
def test_same_signature_as_the_generated_init(cls: type) -> None:
    reference = _reference(cls)
    assert str(inspect.signature(cls)) == str(inspect.signature(reference))
    assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
@settings(max_examples=40)
@given(data=st.data())
def test_builds_what_the_generated_init_builds(cls: type, data: st.DataObject) -> None:
    """Positional, keyword or default arguments: each field holds its own value; frozen; pickles; replace works."""
    fields = dataclasses.fields(cls)
    values = {item.name: data.draw(st.integers() | st.text(max_size=3) | st.none()) for item in fields}
    required = [item for item in fields if item.default is dataclasses.MISSING]
    given_count = data.draw(st.integers(len(required), len(fields)))
    chosen = fields[:given_count]
    split = data.draw(st.integers(0, given_count))
    args = [values[item.name] for item in chosen[:split]]
    kwargs = {item.name: values[item.name] for item in chosen[split:]}
    built = cls(*args, **kwargs)
    expected = _reference(cls)(*args, **kwargs)
    for item in fields:
        assert getattr(built, item.name) == getattr(expected, item.name)
        assert getattr(built, item.name) is getattr(expected, item.name)
    assert built == cls(*args, **kwargs)
    assert pickle.loads(pickle.dumps(built)) == built
    name = fields[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, name, 1)
    assert getattr(dataclasses.replace(built, **{name: "other"}), name) == "other"


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
def test_wrong_arguments_are_refused_as_before(cls: type) -> None:
    fields = dataclasses.fields(cls)
    with pytest.raises(TypeError, match=rf"{cls.__qualname__}\.__init__\(\) takes"):
        cls(*range(len(fields) + 1))
    with pytest.raises(TypeError, match="unexpected keyword argument 'nonsense'"):
        cls(*range(len(fields)), nonsense=1)
    if fields[0].default is dataclasses.MISSING:
        with pytest.raises(TypeError, match=rf"{cls.__qualname__}\.__init__\(\) missing"):
            cls()


def _plain(**options: Any) -> type:
    return dataclasses.make_dataclass("Plain", [("a", int)], **options)


@pytest.mark.parametrize("make", [
    lambda: _plain(frozen=True),                  # no slots
    lambda: _plain(slots=True),                   # not frozen
    lambda: dataclasses.make_dataclass("F", [("a", list, dataclasses.field(default_factory=list))],
                                       frozen=True, slots=True),
    lambda: dataclasses.make_dataclass("K", [("a", int, dataclasses.field(kw_only=True))], frozen=True, slots=True),
    lambda: dataclasses.make_dataclass("I", [("a", int, dataclasses.field(init=False, default=0))],
                                       frozen=True, slots=True),
    lambda: dataclasses.make_dataclass("P", [("a", int)], frozen=True, slots=True,
                                       namespace={"__post_init__": lambda self: None}),
], ids=["no slots", "not frozen", "default factory", "keyword only", "init false", "post init"])
def test_refuses_what_it_would_get_wrong(make: Any) -> None:
    with pytest.raises(TypeError, match="quick_init"):
        quick_init(make())


def test_a_class_without_fields() -> None:
    empty = quick_init(dataclasses.make_dataclass("Empty", [], frozen=True, slots=True))
    assert empty() == empty()
