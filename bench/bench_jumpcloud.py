"""Benchmark: a full JumpCloud check (app, SSO tab, groups, metadata) against the local
stand-in, in requests and milliseconds.

Run: python bench/bench_jumpcloud.py [--runs N]

The stand-in (tests/jumpcloud_fake.py) serves on 127.0.0.1 an organisation with the
Pulumi app, ``--apps`` other applications (default 250: three pages of the list) and
``--groups`` user groups (default 30), three of them bound to the app.  Each run is one
``check_jumpcloud`` with a fresh client (as a click on *Check with JumpCloud* makes):
wall time, median and 90th percentile, and the requests it sent.  The loopback server
answers in well under a millisecond, so this is the wizard's own cost plus one local
round trip per request; against JumpCloud, add the network's round trip per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.jumpcloud_fake import FakeJumpCloud, other_app, pulumi_app
from wizard.jumpcloud import JumpCloudClient, check_jumpcloud
from wizard.values import org_values

KEY = "jc-bench-0123456789abcdef0123456789abcdef"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--apps", type=int, default=250)
    parser.add_argument("--groups", type=int, default=30)
    args = parser.parse_args()
    values = org_values("acmecorp")
    with FakeJumpCloud(KEY) as server:
        app = server.add_app(pulumi_app(values) | {"name": "zzz-pulumi"})  # listed last: every page is read
        for n in range(args.apps):
            server.add_app(other_app(n + 1))
        for n in range(args.groups):
            server.add_group(f"group-{n:02d}")
        for name in ("group-00", "group-01", "group-02"):
            server.bind(app["_id"], name)

        async def once() -> tuple[float, int, list[str]]:
            started = time.perf_counter()
            async with JumpCloudClient(server.url, KEY) as client:
                result = await check_jumpcloud(client, values, "pulumi")
            return (time.perf_counter() - started) * 1000, result.requests, [f.code for f in result.findings]

        asyncio.run(once())  # warm up
        samples = [asyncio.run(once()) for _ in range(args.runs)]
    times = sorted(s[0] for s in samples)
    requests, codes = samples[0][1], samples[0][2]
    print(
        f"Full check ({args.apps + 1} applications, {args.groups} groups, 3 bound, metadata fetched and checked), "
        f"{args.runs} runs"
    )
    print(f"  requests per check: {requests}")
    print(f"  wall time: median {statistics.median(times):.1f} ms, p90 {times[int(len(times) * 0.9) - 1]:.1f} ms")
    print(f"  findings: {', '.join(codes)}")


if __name__ == "__main__":
    main()
