"""Benchmark: the SCIM probe and ``check-scim`` against a local scim2-server.

Run: .venv/bin/python bench/bench_scim.py

Compares
- one probe (``probe_scim_sync``) with one bare ``httpx.get`` of the same URL
  and headers (the probe's own overhead: validation, a fresh client, parsing);
- ``check-scim`` end to end in a fresh interpreter with ``python -c "import httpx"``
  and ``python -c pass`` (start-up cost of the command);
- ``check-scim --help`` with ``python -c "import lxml.etree"`` (the budget for
  commands that do not open the TUI is 2x of that).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import httpx
from scim_support import RealScimServer

from wizard.scim import probe_scim_sync
from wizard.transport import USER_AGENT

TOKEN = "bench-token-0123456789"


def median_ms(fn, runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run_cmd(argv: list[str], stdin: str | None = None) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PULUMI_SCIM_TOKEN", None)
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode not in (0,):
        raise SystemExit(f"{argv} failed: {proc.returncode} {proc.stderr}")


def main() -> None:
    py = sys.executable
    rows: list[tuple[str, float, str, float]] = []
    with RealScimServer({"acme": TOKEN}) as server:
        for i in range(2):
            server.seed_user("acme", f"user{i}@example.com")
        base = server.base_url("acme")
        headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/scim+json", "User-Agent": USER_AGENT}

        def probe() -> None:
            assert probe_scim_sync(base, TOKEN, timeout=5).ok

        def bare() -> None:
            assert httpx.get(f"{base}/Users", params={"startIndex": 1, "count": 1}, headers=headers).status_code == 200

        rows.append(("probe_scim_sync (one GET)", median_ms(probe, 30), "bare httpx.get", median_ms(bare, 30)))

        cli = [py, "-m", "wizard", "check-scim", "--org", "acme", "--api-url", server.api_base]
        rows.append(
            (
                "check-scim end to end (subprocess)",
                median_ms(lambda: run_cmd(cli, TOKEN + "\n"), 7),
                'python -c "import httpx"',
                median_ms(lambda: run_cmd([py, "-c", "import httpx"]), 7),
            )
        )
    rows.append(
        (
            "check-scim --help (subprocess)",
            median_ms(lambda: run_cmd([py, "-m", "wizard", "check-scim", "--help"]), 7),
            'python -c "import lxml.etree"',
            median_ms(lambda: run_cmd([py, "-c", "import lxml.etree"]), 7),
        )
    )
    baseline_pass = median_ms(lambda: run_cmd([py, "-c", "pass"]), 7)

    print(f"{'measured':<38}{'median ms':>10}   {'compared with':<30}{'median ms':>10}{'ratio':>8}")
    for name, ms, other, other_ms in rows:
        print(f"{name:<38}{ms:>10.1f}   {other:<30}{other_ms:>10.1f}{ms / other_ms:>8.2f}")
    print(f"{'(python -c pass)':<38}{baseline_pass:>10.1f}")


if __name__ == "__main__":
    main()
