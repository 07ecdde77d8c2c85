"""Start-up budget: the wizard's first screen vs a bare Textual app (Header + Footer).

Each run is a fresh process (imports included), alternating the two apps, both
headless, each exiting right after its first screen is painted. Reports the
median wall time and the median peak RSS (ru_maxrss of the child), and the
ratio; the budget is 1.3x time and 1.5x memory.

Also checks that ``values acmecorp --json`` does not import Textual.

    python bench/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAUNCH = HERE / "_launch.py"


def measure(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one child process."""
    before = time.perf_counter()
    # The child's stderr is dropped: an app told to exit on its first frame can leave
    # Textual's Header a pending title update, which it reports there; it costs nothing.
    quiet = [(os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    pid = os.posix_spawn(sys.executable, [sys.executable, *args], os.environ, file_actions=quiet)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - before
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child {args} failed with {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    results: dict[str, list[tuple[float, float, float]]] = {"bare": [], "wizard": []}
    with tempfile.TemporaryDirectory() as state:
        env_state = str(Path(state) / "s")
        measure([str(LAUNCH), "bare"])  # warm the file cache for both
        measure([str(LAUNCH), "wizard", env_state])
        for _ in range(opts.runs):
            results["bare"].append(measure([str(LAUNCH), "bare"]))
            results["wizard"].append(measure([str(LAUNCH), "wizard", env_state]))
    med = {k: tuple(statistics.median(r[i] for r in v) for i in range(3)) for k, v in results.items()}
    (bt, bc, bm), (wt, wc, wm) = med["bare"], med["wizard"]
    print(f"{'medians':28}{'wall time':>12}{'CPU time':>12}{'peak RSS':>12}")
    print(f"{'bare Textual Header+Footer':28}{bt * 1000:>9.0f} ms{bc * 1000:>9.0f} ms{bm:>8.1f} MiB")
    print(f"{'jumpcloud-pulumi-sso':28}{wt * 1000:>9.0f} ms{wc * 1000:>9.0f} ms{wm:>8.1f} MiB")
    print(f"{'ratio (budget 1.3x / 1.5x)':28}{wt / bt:>11.2f}x{wc / bc:>11.2f}x{wm / bm:>11.2f}x")
    print(f"runs: {opts.runs} each, {sys.version.split()[0]}")

    code = ("import sys; from wizard.cli import main; main(['values','acmecorp','--json']);"
            "sys.stderr.write('textual imported: %s\\n' % any(m.split('.')[0]=='textual' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    print(out.stderr.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
