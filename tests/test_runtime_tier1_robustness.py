"""No input makes a tier-1 built-in (numbers, strings, globals, EventData)
fail with anything but a CRMScriptError: a script author never sees a
Python traceback. Hypothesis feeds every registered overload values of its
declared parameter types."""

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.errors import CRMScriptError
from engine.eventdata import EventData
from engine.runtime.context import Limits, RunContext
from engine.runtime.eventdata import EventDataObject
from engine.runtime.table import LIBRARY

MY_FAMILIES = {"engine.runtime.numbers", "engine.runtime.strings", "engine.runtime.globals",
               "engine.runtime.eventdata"}

INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
TEXT = st.text(max_size=40)
BYTES = st.lists(st.integers(min_value=0, max_value=255), max_size=40)


def _map_strategy():
    from engine.runtime.collections import Map
    return st.dictionaries(TEXT, TEXT, max_size=4).map(lambda d: Map.from_pairs(d.items()))


STRATEGIES = {
    "Integer": INT32,
    "Float": st.floats(allow_nan=True, allow_infinity=True),
    "Bool": st.booleans(),
    "Byte": st.integers(min_value=0, max_value=255),
    "String": TEXT,
    "Byte[]": BYTES,
    "EventData": st.builds(lambda: EventDataObject(EventData(InputValues={"a": "1"}))),
}


def _signatures():
    sigs = [s for overloads in LIBRARY.functions.values() for s in overloads]
    for info in LIBRARY.classes.values():
        sigs += info.constructors + [s for overloads in info.methods.values() for s in overloads]
    return sorted((s for s in sigs if s.impl is not None and s.impl.__module__ in MY_FAMILIES),
                  key=str)


def _strategy(type_text):
    if type_text == "Map":
        return _map_strategy()
    return STRATEGIES[type_text]


@pytest.mark.parametrize("sig", _signatures(), ids=str)
def test_no_python_exception_escapes(sig):
    receiver = [] if sig.owner == "" or sig.is_constructor else [str(sig.owner)]
    types = receiver + [str(p.type) for p in sig.params]
    if sig.owner == "String" and receiver:
        types[0] = "String"

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.tuples(*(_strategy(t) for t in types)))
    def call(args):
        prefix = [RunContext(limits=Limits(string_length=10_000), rng=random.Random(0))] if sig.context else []
        try:
            sig.impl(*prefix, *args)
        except CRMScriptError:
            pass

    call()
