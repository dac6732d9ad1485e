"""``hal bench``: every device side by side against NumPy, measured in one run.

The modules, one job each:

- ``_timing``: alternating rounds, medians and spreads (shared with ``benchmarks/``);
- ``_cases``: the benchmark set (statements, input sets, units, tolerances);
- ``_runner``: checks each device's results against NumPy, then times NumPy and every
  device in alternating rounds; a device that cannot run is reported, not fatal;
- ``_firstcall``: first-call cost with a cold and a warm disk cache, in fresh processes;
- ``_machine``: the machine and versions a report was measured on;
- ``_render`` (rich table), ``_report`` (JSON), ``_plot`` (matplotlib chart);
- ``_command``: the ``hal bench`` command itself.

From Python: ``hal._bench.run(devices, quick=True)`` returns the report (a dict, the
same as ``hal bench --json`` writes).
"""

from __future__ import annotations

from ._cases import CASES, GROUPS
from ._runner import SCHEMA, run

__all__ = ["run", "CASES", "GROUPS", "SCHEMA"]
