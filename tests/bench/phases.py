"""Timed phases for the load benchmarks: jobs run concurrently to a deadline, with the CPU they cost.

The server, the client and whatever else runs share the machine's cores, so a
phase notes the server's CPU, this process's and the rest of the machine's.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from harness import Server, Timed, describe

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Phase(Timed):
    """A timed phase, and the CPU that other processes of the machine used meanwhile."""

    other_cpu: float | None = None  # the server and this client share the cores with them


def machine_busy_seconds() -> float | None:
    """CPU time all cores have spent busy since boot (user, system, interrupts, steal); None if unknown."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


async def run_all(jobs: list[Callable[[], Awaitable[None]]], deadline: float,
                  errors: list[str]) -> list[str]:
    """Run jobs concurrently until done or the deadline: "ok", "error" or "cut" for each."""
    tasks = [asyncio.ensure_future(job()) for job in jobs]
    if not tasks:
        return []
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    states = []
    for task in tasks:
        if task.cancelled():
            states.append("cut")
        elif task.exception() is not None:
            errors.append(describe(task.exception()))
            states.append("error")
        else:
            states.append("ok")
    return states


async def timed_phase(jobs: list[Callable[[Timed], Awaitable[None]]], deadline: float,
                      server: Server, think_seconds: float) -> Phase:
    """Start every job at once and time their requests; note server, client and other CPU."""
    timed = Phase(think=think_seconds)
    busy_before = machine_busy_seconds()
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    timed.start = timed.last = time.perf_counter()
    states = await run_all([lambda job=job: job(timed) for job in jobs], deadline, timed.errors)
    timed.complete = "cut" not in states
    cpu_after = server.cpu_seconds()
    if cpu_before is not None and cpu_after is not None:
        timed.server_cpu = cpu_after - cpu_before
    timed.client_cpu = time.process_time() - client_before
    busy_after = machine_busy_seconds()
    if None not in (busy_before, busy_after, timed.server_cpu):
        timed.other_cpu = max(0.0, busy_after - busy_before - timed.server_cpu - timed.client_cpu)
    return timed


def pooled(phases: list[Phase]) -> Phase:
    """The phases as one: every latency, the summed wall time and CPU, for percentiles and CPU per request."""
    whole = Phase(latencies=[x for p in phases for x in p.latencies], start=0.0,
                  last=sum(p.last - p.start for p in phases), errors=[e for p in phases for e in p.errors],
                  complete=all(p.complete for p in phases), client_cpu=sum(p.client_cpu for p in phases))
    if all(p.server_cpu is not None for p in phases):
        whole.server_cpu = sum(p.server_cpu for p in phases)
    if all(p.other_cpu is not None for p in phases):
        whole.other_cpu = sum(p.other_cpu for p in phases)
    return whole
