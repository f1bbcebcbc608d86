"""The CPU calibration line every benchmark prints first, so that figures from different days compare.

``sum(i*i for i in range(10**7))`` is timed in a fresh interpreter (this
process may already have grown or warmed caches) and its CPU seconds quoted:
a machine twice as slow by this line is expected to show about twice the
server CPU per request.
"""

from __future__ import annotations

import os
import subprocess
import sys

LOOP = "sum(i*i for i in range(10**7))"


def cpu_calibration() -> float:
    """CPU seconds of the calibration loop, run in a fresh interpreter."""
    command = f"import time; s = time.process_time(); {LOOP}; print(time.process_time() - s)"
    return float(subprocess.run([sys.executable, "-c", command], capture_output=True, text=True,
                                check=True).stdout)


def calibration_line() -> str:
    """The line itself: the loop's CPU seconds, the machine's CPUs and its load average now."""
    return (f"CPU calibration: {LOOP} took {cpu_calibration():.2f} s CPU; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
