"""What the reference says of NetServer carriers (no runtime values here:
the fixture's reader uses it too)."""

from __future__ import annotations

import functools

from ...types import Type


def _reference():
    from ...reference import reference

    return reference()


def is_carrier(name: str) -> bool:
    found = _reference().cls(name)
    return found is not None and found.kind == "carrier"


@functools.cache
def properties(name: str) -> dict[str, Type]:
    """The carrier's properties and their types: each documented GetX() (or
    SetX(value) without a getter), in the reference's order."""
    found = _reference().cls(name)
    result: dict[str, Type] = {}
    if found is None or found.kind != "carrier":
        return result
    for method, overloads in found.methods.items():
        for member in overloads:
            if method.startswith("Get") and not member.params:
                result.setdefault(method[3:], member.returns)
            elif method.startswith("Set") and len(member.params) == 1:
                result.setdefault(method[3:], member.params[0].type)
    return result
