"""The live benchmark's figures: printed whole, per room when there are several, and as one JSON line."""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass, field

from harness import Timed
from live_costs import Cost
from live_rooms import Room

TARGET_ANSWER_P99_MS = 250.0
TARGET_NOISY_P99_MS = 1000.0  # beside processes burning cores: the issue asks nothing late and p99 under 1 s
TARGET_SEE_SECONDS = 1.0
TARGET_RATIO = 1.5
JOIN_CONCURRENCY = 64


@dataclass
class Figures:
    """What one run measured, for the report."""

    rooms: list[Room]
    errors: list[str]
    joined: int = 0
    join_wall: float = 0.0
    play_wall: float = 0.0
    wall: float = 0.0
    client_cpu: float = 0.0
    other_cpu: float | None = None  # every other process of the machine over the same time
    usage: list[tuple[float, int]] = field(default_factory=list)  # (CPU seconds, peak RSS) per server
    recorded: list[tuple[int, int, set]] = field(default_factory=list)  # per room: rows, distinct, pairs
    answer: Cost | None = None
    bare: Cost | None = None
    watcher_lobby: tuple[int, float, float] | None = None  # running sessions, CPU ms, wall ms a poll
    watcher_after: tuple[int, float, float] | None = None


def last_seen(figures: Figures, index: int) -> float:
    """Seconds until the last player of every room had question ``index``; inf if one never had it."""
    worst = 0.0
    for room in figures.rooms:
        seen = room.stats.seen.get(index, [])
        if len(seen) < len([p for p in room.players if p.listener is not None]) or not seen:
            return math.inf
        worst = max(worst, max(seen))
    return worst


def exactly_once(recorded: tuple[int, int, set], accepted: set) -> bool:
    """Every accepted answer recorded, once, and nothing else."""
    rows, distinct, pairs = recorded
    return rows == distinct and pairs == accepted


def room_line(number: int, room: Room, recorded: tuple[int, int, set]) -> str:
    """One room's figures on one line."""
    stats = room.stats
    seen = [max(stats.seen.get(index, [math.inf])) for index in range(stats.questions)]
    return (f"room {number}: {len(room.players)} players, answers p50 {stats.answers.percentile(0.5):.0f} ms "
            f"p99 {stats.answers.percentile(0.99):.0f} ms; last player has each question "
            + " / ".join(f"{s:.2f}" for s in seen) + f" s; sent {stats.sent}, refused as late {stats.late}, "
            f"recorded {recorded[0]}, exactly once: {exactly_once(recorded, stats.accepted)}")


def summary(args: argparse.Namespace, figures: Figures) -> dict:
    """The run's headline figures, for live_matrix.py."""
    stats = [room.stats for room in figures.rooms]
    answers = Timed(latencies=[x for s in stats for x in s.answers.latencies])
    sent = sum(s.sent for s in stats)
    rows = sum(r[0] for r in figures.recorded)
    once = len(figures.recorded) == len(stats) and all(
        exactly_once(r, s.accepted) for r, s in zip(figures.recorded, stats, strict=True))
    answer_ms = figures.answer.per_request_ms if figures.answer else math.nan
    bare_ms = figures.bare.per_request_ms if figures.bare else math.nan
    seen = [last_seen(figures, index) for index in range(args.questions)]
    return {
        "players": args.players * args.sessions, "sessions": args.sessions, "servers": args.servers,
        "database": args.database, "noise": args.noise, "joined": figures.joined,
        "answer_p50_ms": answers.percentile(0.50), "answer_p99_ms": answers.percentile(0.99),
        "last_seen_s": [s if math.isfinite(s) else None for s in seen],
        "sent": sent, "accepted": sum(len(s.accepted) for s in stats), "late": sum(s.late for s in stats),
        "refused": sum(len(s.refused) for s in stats), "recorded": rows, "exactly_once": once,
        "server_cpu_s": [cpu for cpu, _ in figures.usage], "wall_s": figures.wall,
        "client_cpu_s": figures.client_cpu, "other_cpu_s": figures.other_cpu,
        "answer_cpu_ms": answer_ms, "bare_cpu_ms": bare_ms,
        "ratio": answer_ms / bare_ms if bare_ms else math.nan,
        "bare_requests": len(figures.bare.timed.latencies) if figures.bare else 0,
        "watcher_lobby": figures.watcher_lobby, "watcher_after": figures.watcher_after,
        "errors": len(figures.errors) + sum(len(s.errors) for s in stats),
    }


def _cost_lines(figures: Figures, facts: dict) -> list[str]:
    lines = []
    for name, cost in (("answer", figures.answer), ("bare insert", figures.bare)):
        if cost is None:
            continue
        span = sum(end - start for start, end in cost.windows)
        lines.append(f"{name}: {len(cost.timed.latencies)} requests in {len(cost.windows)} window(s) of "
                     f"{span:.1f} s in all; p50 {cost.timed.percentile(0.5):.0f} ms, p99 "
                     f"{cost.timed.percentile(0.99):.0f} ms; server CPU {cost.server_cpu:.1f} s, "
                     f"{cost.per_request_ms:.2f} ms per request" + (f"; errors {len(cost.errors)}"
                                                                    if cost.errors else ""))
    lines.append(f"server CPU per request, answer / bare insert: {facts['ratio']:.2f} "
                 f"(target at most {TARGET_RATIO:.1f})")
    for label, found in (("in the lobby", figures.watcher_lobby), ("after the end", figures.watcher_after)):
        if found is not None:
            running, cpu, wall = found
            lines.append(f"watcher poll {label}: {running} running session(s), {cpu:.2f} ms CPU and "
                         f"{wall:.2f} ms wall per poll (4 polls a second per server process)")
    return lines


def report(args: argparse.Namespace, figures: Figures) -> None:
    """Print the figures, the rooms, the costs, the targets and the summary line."""
    facts = summary(args, figures)
    stats = [room.stats for room in figures.rooms]
    join = stats[0].join
    total = args.players * args.sessions
    rate = figures.joined / figures.join_wall if figures.join_wall > 0 else float("nan")
    print(f"joined: {figures.joined} of {total} in {figures.join_wall:.1f} s, {rate:.0f} joins/s "
          f"({JOIN_CONCURRENCY} joining at once); " + join.line("join POST:").split(" ", 2)[2])
    answers = Timed(latencies=[x for s in stats for x in s.answers.latencies],
                    start=min(s.answers.start for s in stats), last=max(s.answers.last for s in stats))
    print(answers.line("answer POST:"))
    if args.timeline:
        by_second: dict[int, list[float]] = {}
        for second, latency in (pair for s in stats for pair in s.timeline):
            by_second.setdefault(second, []).append(latency)
        print("  by second after the question opened (answers, p99 ms): " + ", ".join(
            f"{second}s {len(found)} {1000 * sorted(found)[max(0, round(0.99 * len(found)) - 1)]:.0f}"
            for second, found in sorted(by_second.items())))
    for index, seen in enumerate(facts["last_seen_s"]):
        every = sorted(x for s in stats for x in s.seen.get(index, []))
        median = f"median {every[len(every) // 2]:.2f} s, " if every else ""
        print(f"question {index + 1}: {len(every)} of {figures.joined} players had it; from the presenter's "
              f"action: {median}last {'(some never)' if seen is None else f'{seen:.2f} s'}")
    print(f"answers: sent {facts['sent']}, accepted {facts['accepted']}, refused {facts['refused']} "
          f"({facts['late']} as late), recorded {facts['recorded']} rows; every accepted answer recorded "
          f"exactly once: {facts['exactly_once']}")
    for message in list(dict.fromkeys(m for s in stats for m in s.refused))[:3]:
        print(f"  refused: {message[:200]}")
    modes: dict[str, int] = {}
    for s in stats:
        for mode, count in s.modes.items():
            modes[mode] = modes.get(mode, 0) + count
    print(f"players by mode: {dict(sorted(modes.items()))}; event streams opened "
          f"{sum(s.streams for s in stats)}, answered 204 {sum(s.refusals for s in stats)}; events received "
          f"{sum(s.events for s in stats)}; state reads {sum(s.state_reads for s in stats)}")
    if args.sessions > 1:
        for number, (room, found) in enumerate(zip(figures.rooms, figures.recorded, strict=True), start=1):
            print(room_line(number, room, found))
    for n, (cpu, peak) in enumerate(figures.usage, start=1):
        print(f"server {n}: CPU {cpu:.1f} s over {figures.wall:.0f} s ({100 * cpu / figures.wall:.0f}% "
              f"of one core), peak RSS {peak / 2**20:.0f} MiB (master and workers)")
    share = 100 * figures.client_cpu / figures.wall
    print(f"this client: CPU {figures.client_cpu:.1f} s ({share:.0f}% of one core)")
    if figures.other_cpu is not None:
        print(f"other processes (noise, other jobs): CPU {figures.other_cpu:.1f} s "
              f"({100 * figures.other_cpu / figures.wall:.0f}% of one core)")
    for line in _cost_lines(figures, facts):
        print(line)
    errors = figures.errors + [e for s in stats for e in s.errors]
    print(f"errors: {len(errors)}")
    for error in list(dict.fromkeys(errors))[:5]:
        print(f"  {error[:300]}")
    worst = max((math.inf if s is None else s for s in facts["last_seen_s"]), default=math.inf)
    p99 = facts["answer_p99_ms"]
    bound = TARGET_NOISY_P99_MS if args.noise else TARGET_ANSWER_P99_MS
    verdict = [
        f"all {total} joined: {'met' if figures.joined == total else 'NOT met'}",
        f"every accepted answer recorded once: {'met' if facts['exactly_once'] else 'NOT met'}",
        f"none refused as late: {'met' if facts['late'] == 0 else 'NOT met'} ({facts['late']})",
        f"every answer sent recorded: {'met' if facts['recorded'] == facts['sent'] else 'NOT met'} "
        f"({facts['recorded']} of {facts['sent']})",
        f"answer p99 {p99:.0f} ms < {bound:.0f}: {'met' if p99 < bound else 'NOT met'}",
        f"last player sees each question within {TARGET_SEE_SECONDS:.0f} s: "
        f"{'met' if worst < TARGET_SEE_SECONDS else 'NOT met'}",
        f"answer/bare CPU {facts['ratio']:.2f} <= {TARGET_RATIO}: "
        f"{'met' if facts['ratio'] <= TARGET_RATIO else 'NOT met'}",
    ]
    print("targets: " + "; ".join(verdict))
    print("summary: " + json.dumps(facts, default=str), flush=True)
