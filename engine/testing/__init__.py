"""Offline handler testing: case files, the runner, diffs, coverage, trace, replay.

- `model`: the `*.cases.yaml` format (pydantic) and its loader
- `discovery`, `session`: finding case files, `-k` selection
- `runner`, `diff`, `report`: running cases, comparing, reporting (console, JUnit XML)
- `coverage`, `trace`, `linetrace`: CRMScript line coverage and line trace (sys.settrace)
- `replay`: `replay()`, recorded request lines in, response lines out (the replay itself: `engine.replay`)
- `pytest_plugin`: the same case files as pytest items

See docs/testing.md.
"""
