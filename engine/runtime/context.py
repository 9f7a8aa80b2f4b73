"""Per-run state the runtime library reaches through `context=True` builtins.

One RunContext exists per script run (or per handler chain): what the script
printed, the shared EventData, session variables, user settings, the
simulated clock and the step budget.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..eventdata import EventData


@dataclass
class Settings:
    """What the caller's environment tells the script (HTTP headers, CLI flags)."""

    language: str = "en"  # SO-Language / Accept-Language
    culture: str = ""  # SO-Culture: number and date formatting
    timezone: str = ""  # SO-TimeZone (IANA name); "" = UTC


@dataclass
class Limits:
    steps: int = 50_000_000  # loop back-edges + function entries; ~10 s of busy script
    recursion: int = 400  # nested CRMScript function calls
    string_length: int = 64 * 1024 * 1024  # characters in one String
    collection_size: int = 10_000_000  # elements in one array / Map / Vector


# Shared defaults: a run that is given no Settings or Limits reads these.
# Treat them as read-only; pass your own instance to change a setting.
DEFAULT_SETTINGS = Settings()
DEFAULT_LIMITS = Limits()
# Seeding a Random from the OS costs 10-30 µs: runs share one unless given their own.
SHARED_RANDOM = random.Random()


def _no_type_id(name: str) -> int:
    return 0


class RunContext:
    """The state of one run (or one handler chain).

    A plain class with __slots__ rather than a dataclass: one is made per
    event, so its construction is on the hot path (about 0.5 µs).
    """

    __slots__ = ("event", "settings", "limits", "output", "variables", "clock_offset",
                 "event_type_id", "on_print", "log", "global_variables", "rng", "script_executor")

    def __init__(
        self,
        event: Optional[EventData] = None,
        settings: Optional[Settings] = None,
        limits: Optional[Limits] = None,
        output: Optional[list[str]] = None,
        variables: Optional[dict[str, str]] = None,
        clock_offset: float = 0.0,
        event_type_id: Callable[[str], int] = _no_type_id,
        on_print: Optional[Callable[[str], None]] = None,
        log: Optional[list[tuple[str, str]]] = None,
        global_variables: Optional[dict[str, str]] = None,
        rng: Optional[random.Random] = None,
        script_executor: Optional[Callable[[str, object], str]] = None,
    ) -> None:
        self.event = event if event is not None else EventData()
        self.settings = settings if settings is not None else DEFAULT_SETTINGS
        self.limits = limits if limits is not None else DEFAULT_LIMITS
        self.output = output if output is not None else []  # print() appends here
        self.variables = variables if variables is not None else {}  # getVariable / setVariable
        self.clock_offset = clock_offset  # seconds added by sleep(): the simulated clock
        self.event_type_id = event_type_id  # catalog lookup for getType()
        self.on_print = on_print  # live echo (trace)
        self.log = log if log is not None else []  # printDebug / log / logMessage: (level, text)
        self.global_variables = global_variables if global_variables is not None else {}
        self.rng = rng if rng is not None else SHARED_RANDOM  # rand, makePassword
        self.script_executor = script_executor  # executeScript resolver, if any

    def write(self, text: str) -> None:
        self.output.append(text)
        if self.on_print is not None:
            self.on_print(text)

    def printed(self) -> str:
        return "".join(self.output)
