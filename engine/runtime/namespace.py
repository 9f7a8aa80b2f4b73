"""The generated code's namespace: the one contract between the compiler,
which emits names, and the run boundary (engine/script.py), which gives them
their values (as Jinja2's `runtime.exported`).

A compiled script runs with no Python builtins, in a namespace made of
* `EXPORTED`: what every script may call (the helpers behind the compiler's
  inline code, the Generic checks, the limit failures, the few builtins the
  generated code uses), the same objects for every script;
* the script's own names (`CompiledProgram.namespace`): `_L<n>_...` for the
  library implementations and struct classes it uses
  (`Compiler.runtime_name`);
* the per-run slots below, which `Script.run` fills for a run and clears
  after; library code finds the running context through the `CTX` slot
  (context.active_context).

Every name starts with `_`; a script's names are mangled (`v_x`, `f_x`), so
no script name can reach any of these. The helpers are the functions of the
runtime modules themselves (no wrapper: no call level is added on a hot path).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import CRMScriptRuntimeError, CRMScriptThrow
from . import collections, eventdata, generic, limits, numbers, structs
from .context import RUN_CONTEXT_SLOT

# ------------------------------------------------------------ per-run slots
CTX = RUN_CONTEXT_SLOT  # "_ctx": the RunContext of the run (None between runs)
TICK = "_tick"  # the step budget: a C-level countdown, called per loop iteration
LIMITS = "_limits"  # the Limits the three values below were read from
MAX_STRING = "_max_string"  # Limits.string_length
MAX_COLLECTION = "_max_collection"  # Limits.collection_size
MAX_DEPTH = "_max_depth"  # Limits.recursion
# Per script (a bound method of the Script): "file:line" for a catch's errorLocation.
ERROR_LOCATION = "_error_location"

# What the compiled module defines: the top-level code, run once per run.
MAIN = "_crm_main"
# Prefix of the script's own names (library implementations, struct classes).
SCRIPT_NAME_PREFIX = "_L"

EXPORTED: dict[str, Any] = {
    # errors a catch catches, and `throw`
    "_RuntimeError": CRMScriptRuntimeError,
    "_Throw": CRMScriptThrow,
    # numbers (runtime/numbers.py): division, range checks, Byte, toInteger
    "_int_div": numbers.int_div,
    "_int_mod": numbers.int_mod,
    "_float_div": numbers.float_div,
    "_float_mod": numbers.float_mod,
    "_overflow": numbers.integer_overflow,
    "_float_overflow": numbers.float_overflow,
    "_byte": numbers.to_byte,
    "_parse_integer": numbers.parse_integer,
    # arrays and Maps (runtime/collections.py)
    "_index_fail": collections.index_fail,
    "_index_get": collections.array_get,
    "_index_set": collections.array_set,
    "_map_get": collections.map_get,
    "_map_set": collections.map_set,
    "_new_array": collections.new_array,
    # struct fields (runtime/structs.py)
    "_attr_set": structs.set_field,
    # EventData members emitted inline (runtime/intrinsics.py)
    "_event_data_of": eventdata.event_data_of,
    "_set_member": eventdata.set_member,
    "_setitem": operator.setitem,  # a C call: half the cost of `d.__setitem__(k, v)`
    # Generic values meeting a known type (runtime/generic.py)
    "_g_from": generic.from_generic,
    "_g_array": generic.array_from_generic,
    "_g_cond": generic.condition,
    "_g_arith": generic.arith,
    "_g_neg": generic.negate,
    "_g_compare": generic.compare,
    "_g_element": generic.element_for,
    "_g_typed_array": generic.typed_array,
    # a failed inline limit check (runtime/limits.py), given CTX
    "_string_limit": limits.fail_string_limit,
    "_collection_limit": limits.fail_collection_limit,
    "_recursion_limit": limits.fail_recursion_limit,
    # the only Python builtins the generated code calls
    "_len": len,
    "_float": float,
    "_str": str,
    "_range": range,
}


def fresh_namespace(script_names: Mapping[str, Any], error_location: Callable[[Any], str]) -> dict[str, Any]:
    """The namespace a script's code object is executed in: the contract's
    names, the script's own, no builtins, and the per-run slots empty."""
    namespace = dict(EXPORTED)
    namespace.update(script_names)
    namespace["__builtins__"] = {}
    namespace[ERROR_LOCATION] = error_location
    namespace[CTX] = None
    namespace[LIMITS] = None  # no limit values read yet (Script.run)
    return namespace
