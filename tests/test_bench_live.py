"""The live benchmark's modes at their smallest, through the matrix's own runner, so that none can rot.

One run covers every mode at once: two rooms with their own presenters, two
servers on a throwaway PostgreSQL cluster, a noisy neighbour, and the
bare-insert baseline every run ends with. It measures nothing; it checks
that the figures are all there and add up.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent / "bench"
sys.path.insert(0, str(BENCH))

import live_matrix  # noqa: E402


@pytest.mark.slow  # servers, a PostgreSQL cluster and a noisy neighbour, for tens of seconds
def test_every_live_benchmark_mode_runs_at_its_smallest_and_makes_a_table_row():
    configuration = live_matrix.tiny(["--sessions", "50", "--players", "40", "--database", "postgresql",
                                      "--servers", "2", "--noise", "1"])
    assert configuration[:4] == ["--sessions", "2", "--players", "3"]
    facts, output = live_matrix.run(configuration)
    assert facts is not None, output
    assert output.startswith("CPU calibration: sum(i*i for i in range(10**7)) took ")
    assert (facts["players"], facts["sessions"], facts["servers"], facts["database"], facts["noise"]) == (
        6, 2, 2, "postgresql", 1)
    assert facts["joined"] == 6
    assert facts["sent"] == facts["accepted"] + facts["refused"]
    assert facts["recorded"] == facts["accepted"] and facts["exactly_once"]
    assert facts["bare_requests"] == facts["sent"]  # the baseline replays every answer sent
    assert math.isfinite(facts["answer_cpu_ms"]) and math.isfinite(facts["bare_cpu_ms"])  # CPU was read
    assert facts["watcher_lobby"][0] == 2 and facts["watcher_after"][0] == 0  # running sessions seen
    assert len(facts["server_cpu_s"]) == 2 and all(cpu > 0 for cpu in facts["server_cpu_s"])
    assert "room 1: 3 players" in output and "room 2: 3 players" in output
    assert "noise: 1 process(es) burning a core" in output
    row = live_matrix.row(configuration, facts)
    assert row.startswith("| `live_load.py --sessions 2 --players 3") and row.count("|") == 9
