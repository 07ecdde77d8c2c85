"""Pulumi API checks: CPU of the comparison, client overhead, and CLI start-up.

Run: ``.venv/bin/python bench/bench_pulumi_api.py``.  Everything runs against the
local fake Pulumi server on 127.0.0.1 (tests/pulumi_fake.py); nothing leaves the machine.

Measured against:
- compare_with_metadata / status_findings on a real JumpCloud export: the project's budget
  is 5 ms of CPU for one check;
- verify_pulumi (GET saml + GET admins + compare, new client each time) against two bare
  httpx GETs on the same server: the client's own overhead;
- ``status --help`` / ``rotate --help`` start-up against ``python -c "import lxml.etree"``
  (the budget of a command that does not open the TUI is 2x that).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ["NO_PROXY"] = "127.0.0.1,localhost"

import httpx
from pulumi_fake import FakePulumi, metadata_xml

from wizard import pulumi_api as api
from wizard.metadata import check_metadata
from wizard.transport import USER_AGENT

TOKEN = "pul-bench0000000000000000000000000000000000"
ORG = "bench-org"


def cpu_per_call(fn, repeat: int = 300) -> float:
    fn()  # warm up
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(repeat):
            fn()
        samples.append((time.process_time() - start) / repeat)
    return min(samples) * 1000


def wall(cmd: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    xml = metadata_xml()  # the real strategicgroupnw export
    metadata = check_metadata(xml).metadata
    rows: list[tuple[str, str, str]] = []

    with FakePulumi(TOKEN) as fake:
        fake.add_org(ORG, xml)
        saml = asyncio.run(_get(fake.url)).saml
        compare_ms = cpu_per_call(lambda: api.compare_with_metadata(saml, metadata))
        status_ms = cpu_per_call(lambda: api.status_findings(saml))
        rows.append(("compare_with_metadata (CPU per call)", f"{compare_ms:.2f} ms", "budget 5 ms"))
        rows.append(("status_findings (CPU per call)", f"{status_ms:.3f} ms", "budget 5 ms"))

        verify_ms = _median_ms(lambda: api.verify_pulumi(fake.url, ORG, TOKEN, metadata), 30)
        bare_ms = _median_ms(lambda: _bare_two_gets(fake.url), 30)
        rows.append(
            ("verify_pulumi, local fake (wall)", f"{verify_ms:.1f} ms", f"two bare httpx GETs: {bare_ms:.1f} ms")
        )

    python = sys.executable
    baseline = wall([python, "-c", "import lxml.etree"])
    for cmd in ("status", "rotate"):
        ms = wall([python, "-m", "wizard", cmd, "--help"])
        rows.append(
            (
                f"`{cmd} --help` start-up (wall)",
                f"{ms:.0f} ms",
                f"import lxml.etree: {baseline:.0f} ms (x{ms / baseline:.2f}, budget x2)",
            )
        )

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  compared with")
    for name, value, against in rows:
        print(f"{name:<{width}}  {value:>10}  {against}")


async def _get(url: str) -> api.ApiResult:
    async with api.PulumiClient(url, TOKEN) as client:
        return await client.get_saml(ORG)


async def _bare_two_gets(url: str) -> None:
    headers = {"Authorization": f"token {TOKEN}", "Accept": api.PULUMI.accept, "User-Agent": USER_AGENT}
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        (await client.get(f"/api/orgs/{ORG}/saml")).json()
        (await client.get(f"/api/orgs/{ORG}/saml/admins")).json()


def _median_ms(make_coro, runs: int) -> float:
    async def loop() -> list[float]:
        out = []
        for _ in range(runs):
            start = time.perf_counter()
            await make_coro()
            out.append(time.perf_counter() - start)
        return out

    return statistics.median(asyncio.run(loop())) * 1000


if __name__ == "__main__":
    main()
