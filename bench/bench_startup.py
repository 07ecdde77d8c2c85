"""Start-up budget: launch to the first screen painted, vs a bare Textual app.

Each run is a fresh process in a pseudo-terminal of 100x30, the way an admin starts
it: the wizard is the real entry point (``python -m wizard``, its state folder found
through platformdirs in an empty XDG_STATE_HOME),
the baseline a Textual app with a Header and a Footer (bench/_bare_app.py). The clock
starts just before the process is spawned and stops when the terminal receives the
first screen: the text "Step 1 of 9" (the wizard's first step title) or the bare
app's title in its header. The process is then killed, and its CPU time and peak
memory (ru_maxrss) read. The apps alternate, so each round measures them a moment
apart; the ratio reported is the median over rounds of wizard/bare within a round,
which the machine's drifting speed (a shared VM) disturbs less than a ratio of two
medians (also shown). The budget (README, Performance) is 1.3x the time and 1.5x
the peak memory.

A third row shows the wizard with the start-up pause of the garbage collector
switched off (wizard/cli.py), to show what that pause buys.

Our packages are byte-compiled first (into their ``__pycache__``, as ``pip install``
does), so that neither app compiles source while it is timed.

Also checks that ``values acmecorp --json`` does not import Textual.

    python bench/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BARE = HERE / "_bare_app.py"
BARE_MARKER = b"bare-textual-app"
WIZARD_MARKER = b"Step 1 of 9"
COLUMNS, ROWS = 100, 30
# The wizard with the collector left running: gc.disable made a no-op for the child.
NO_GC_PAUSE = "import gc, sys; gc.disable = lambda: None; from wizard.cli import main; sys.exit(main(sys.argv[1:]))"


def first_paint(argv: list[str], marker: bytes, env: dict[str, str]) -> tuple[float, float, float]:
    """(seconds from spawn to ``marker`` on the terminal, CPU seconds, peak RSS MiB)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    actions = [(os.POSIX_SPAWN_DUP2, slave, fd) for fd in (0, 1, 2)] + [(os.POSIX_SPAWN_CLOSE, master)]
    started = time.monotonic()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)
    os.close(slave)
    seen, output = None, b""
    try:
        while seen is None:
            ready, _, _ = select.select([master], [], [], 20)
            if not ready:
                raise SystemExit(f"{argv}: nothing painted within 20 s; output so far: {output[-300:]!r}")
            chunk = os.read(master, 1 << 16)
            if not chunk:
                raise SystemExit(f"{argv}: ended before painting; output: {output[-300:]!r}")
            output += chunk
            if marker in output:
                seen = time.monotonic()
    finally:
        os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
        os.close(master)
    return seen - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def compile_packages() -> None:
    import assets
    import screens
    import wizard

    for package in (wizard, screens, assets):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=31)
    opts = parser.parse_args()
    compile_packages()
    with tempfile.TemporaryDirectory() as tmp:
        # Nothing is saved before the first screen, so every run is a fresh start.
        env = dict(
            os.environ, TERM="xterm-256color", COLORTERM="truecolor", HOME=tmp, XDG_STATE_HOME=str(Path(tmp) / "state")
        )
        env.pop("JUMPCLOUD_PULUMI_SSO_STATE_DIR", None)
        apps = {
            "bare Textual Header+Footer": ([sys.executable, str(BARE)], BARE_MARKER),
            "jumpcloud-pulumi-sso": ([sys.executable, "-m", "wizard"], WIZARD_MARKER),
            "  same, collector not paused": ([sys.executable, "-c", NO_GC_PAUSE], WIZARD_MARKER),
        }
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in apps}
        for argv, marker in apps.values():  # warm the file cache
            first_paint(argv, marker, env)
        for _ in range(opts.runs):
            for name, (argv, marker) in apps.items():
                results[name].append(first_paint(argv, marker, env))
    med = {name: [statistics.median(r[i] for r in runs) for i in range(3)] for name, runs in results.items()}
    bare_name = "bare Textual Header+Footer"
    base = med[bare_name]
    print(
        f"{'medians, launch to first screen':32}{'wall time':>12}{'CPU time':>12}{'peak RSS':>12}"
        f"   ratio to bare: per round (of medians)"
    )
    for name, (wall, cpu, rss) in med.items():
        per_round = [
            statistics.median(run[i] / bare[i] for run, bare in zip(results[name], results[bare_name], strict=True))
            for i in range(3)
        ]
        ratio = (
            f"{per_round[0]:.2f}x ({wall / base[0]:.2f}x) / {per_round[1]:.2f}x / {per_round[2]:.2f}x"
            if name != bare_name
            else ""
        )
        print(f"{name:32}{wall * 1000:>9.0f} ms{cpu * 1000:>9.0f} ms{rss:>8.1f} MiB   {ratio}")
    print(
        f"budget: 1.3x wall time, 1.5x peak memory; {opts.runs} rounds, the apps alternating; "
        f"{COLUMNS}x{ROWS} pty; Python {sys.version.split()[0]}"
    )

    code = (
        "import sys; from wizard.cli import main; main(['values','acmecorp','--json']);"
        "sys.stderr.write('textual imported: %s\\n' % any(m.split('.')[0]=='textual' for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    print(out.stderr.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
