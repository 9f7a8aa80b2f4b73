"""Replay: recorded ExecuteEventHandlers requests through the handlers, at scale.

`crmscript replay` (docs/replay.md) in modules:

- `inputs`: input files and globs (`.gz` too), cut into line-aligned byte ranges
- `job`: what workers need (handler tree, plugin names, fixture), one Engine per worker
- `work`: one partition: count its lines, or run them and write its responses
- `local`: partitions in this process or in worker processes
- `dask_cluster`: partitions on a Dask cluster (the optional `dask` extra)
- `runner`: a whole run: plan, count, run, join in input order
- `compare`: responses against a baseline run's, member by member
- `stats`: counts, per-handler timings (quantile sketches), slowest events
- `report`: the self-contained HTML report
- `progress`: the terminal progress bar
"""

from .compare import CompareOptions, parse_ignore
from .inputs import ReplayError
from .runner import ReplayInterrupted, ReplayOptions, ReplaySummary, run_replay

__all__ = ["CompareOptions", "ReplayError", "ReplayInterrupted", "ReplayOptions",
           "ReplaySummary", "parse_ignore", "run_replay"]
