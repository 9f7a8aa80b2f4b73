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


@dataclass
class RunContext:
    event: EventData = field(default_factory=EventData)
    settings: Settings = field(default_factory=Settings)
    limits: Limits = field(default_factory=Limits)
    output: list[str] = field(default_factory=list)  # print() appends here
    variables: dict[str, str] = field(default_factory=dict)  # getVariable / setVariable
    clock_offset: float = 0.0  # seconds added by sleep(): the simulated clock
    event_type_id: Callable[[str], int] = lambda name: 0  # catalog lookup for getType()
    on_print: Optional[Callable[[str], None]] = None  # live echo (trace)
    # printDebug / log / logMessage: (channel, text) pairs, never mixed into
    # `output` (in SuperOffice they go to the debug window and the logs).
    log: list[tuple[str, str]] = field(default_factory=list)
    global_variables: dict[str, str] = field(default_factory=dict)  # get/SetGlobalVariable
    rng: random.Random = field(default_factory=random.Random)  # rand, makePassword (seed it for repeatable runs)
    # executeScript(code, values) -> what the code printed; None: not available offline
    script_executor: Optional[Callable[[str, object], str]] = None

    def write(self, text: str) -> None:
        self.output.append(text)
        if self.on_print is not None:
            self.on_print(text)

    def printed(self) -> str:
        return "".join(self.output)
