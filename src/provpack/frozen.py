"""A quicker __init__ for frozen, slotted dataclasses, which packaging makes some 25 of a document.

The `__init__` that `dataclass(frozen=True)` writes stores each field with
`object.__setattr__(self, name, value)`, a generic attribute store that costs
about 0.3 us a field, three times what the object's creation costs otherwise.
`quick_init` gives the class an `__init__` with the same signature that stores
each field through its slot's own descriptor instead; the class stays frozen
(assigning to a field still raises FrozenInstanceError) and nothing else changes.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["quick_init"]

_C = TypeVar("_C", bound=type)


def quick_init(cls: _C) -> _C:
    """Replace a frozen, slotted dataclass's generated __init__ (apply above `@dataclass`)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"quick_init is for frozen dataclasses with slots, not {cls.__qualname__}")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"quick_init does not call __post_init__ ({cls.__qualname__} has one)")
    fields = dataclasses.fields(cls)
    # Only plain fields: init=True, not keyword-only, no default_factory (a field with one
    # would need its factory called here). Anything else is refused, not handled wrongly.
    for item in fields:
        if not item.init or item.kw_only or item.default_factory is not dataclasses.MISSING:
            raise TypeError(f"quick_init cannot take field {item.name!r} of {cls.__qualname__}")
    closure: dict[str, Any] = {}
    params_text = []
    lines = []
    for number, item in enumerate(fields):
        closure[f"_set{number}"] = cls.__dict__[item.name].__set__   # the slot's member descriptor
        if item.default is dataclasses.MISSING:
            params_text.append(item.name)
        else:
            closure[f"_default{number}"] = item.default
            params_text.append(f"{item.name}=_default{number}")
        lines.append(f"  _set{number}(self, {item.name})")
    source = (f"def __make__({', '.join(closure)}):\n"
              f" def __init__(self, {', '.join(params_text)}):\n"
              + ("\n".join(" " + line for line in lines) or "  pass") + "\n"
              " return __init__\n")
    namespace: dict[str, Any] = {}
    code = compile(source, f"<quick_init of {cls.__qualname__}>", "exec")
    exec(code, {}, namespace)  # noqa: S102 - source built above from the class's own field names
    init = namespace["__make__"](**closure)
    generated = cls.__dict__["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = dict(getattr(generated, "__annotations__", {}))
    init.__doc__ = generated.__doc__
    setattr(cls, "__init__", init)   # noqa: B010 - (mypy refuses cls.__init__ on a type variable)
    return cls
