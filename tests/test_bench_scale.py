"""bench/scale.py (make bench-scale) starts, and its table reads as docs/performance.md
shows it. The ladder itself takes minutes and is not run here."""

import importlib
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_the_ladder_explains_itself():
    result = subprocess.run(
        [sys.executable, str(BENCH / "scale.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--sizes" in result.stdout
    assert "BENCH_SCALE_DATABASE_URL" in result.stdout


def test_the_table_has_a_row_per_operation_with_both_sizes_and_the_ratio(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    scale = importlib.import_module("scale")
    approval = {"ms": 10.0, "queries": 9, "rows": 100}

    def result(ms, rows, rebuilt):
        return {
            "operations": {
                "post page built": {"ms": ms, "queries": 6, "rows": rows},
                "export": {"error": "OperationalError: canceling statement"},
            },
            "approval": {
                "pages": 200,
                "rebuilt_while_warm": 0,
                "rebuilt": rebuilt,
                "approval": approval,
            },
        }

    lines = scale.table([(10, 1), (1000, 100)], result(20.0, 1500, 1), result(250.0, 3000, 1))

    assert lines[0] == (
        "| operation | time, 10 readers / 1 comments | time, 1,000 readers / 100 comments "
        "| ratio | queries | rows read |"
    )
    assert "| post page built | 20.0 ms | 250 ms | 12.5× | 6 | 1,500 → 3,000 |" in lines
    assert "| export | failed | failed | | | |" in lines
    assert "| comment approved (moderate()) | 10.0 ms | 10.0 ms | 1.0× | 9 | 100 → 100 |" in lines
    assert lines[-1].startswith("After one approval, 1,000 readers / 100 comments: 1 of 200")
    assert scale.parse_sizes("5:1,50:10") == [(5, 1), (50, 10)]
