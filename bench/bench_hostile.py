"""Benchmark: the worst time and memory over the hostile-input corpus.

Run: python bench/bench_hostile.py [--runs N]

Every entry of ``tests/hostile_corpus.py`` (the corpus the suite checks the answers
of) is run through the real command line (``main([...argv, "--json"])``), each in a
fresh process, after the same command has run once on a small good input so that
the libraries are loaded and warm.  For each entry: the CPU time of the command
(reading the file, parsing, checking, printing) and its extra peak memory: the
process's peak resident set during the command (VmHWM, reset through
/proc/self/clear_refs just before) minus its resident set just before.  The best
time and the worst memory of ``--runs`` runs (3) are kept.

Aim (issue 14): every input, accepted or refused, under 1 s and 50 MiB extra.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile_corpus as corpus
from tests import saml_factory as f

AIM_SECONDS, AIM_MIB = 1.0, 50.0

CHILD = textwrap.dedent(
    """
    import contextlib, io, json, resource, sys, time
    sys.path.insert(0, {root!r})
    from wizard.cli import main

    argv, warm = json.loads(sys.argv[1]), json.loads(sys.argv[2])

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
        return 0

    def run(args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(args + ["--json"])
        return code, out.getvalue()

    run(warm)  # libraries loaded and warm
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # the peak resident set starts again from now
        reset = True
    except OSError:
        reset = False
    before = status("VmRSS") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.process_time()
    code, out = run(argv)
    seconds = time.process_time() - started
    peak = status("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    codes = [finding["code"] for finding in json.loads(out)["findings"]]
    print(json.dumps({{"seconds": seconds, "extra": max(peak - before, 0), "exit": code, "codes": codes}}))
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    code = CHILD.format(root=str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        listing = json.loads(corpus.write(directory / "corpus").read_text())
        (directory / "warm-response.xml").write_bytes(f.signed_response(in_response_to="_req1"))
        (directory / "warm-metadata.xml").write_bytes(f.metadata_xml())
        warm = {
            "diagnose": [
                "diagnose",
                str(directory / "warm-response.xml"),
                "--org",
                f.ORG,
                "--at",
                corpus.AT,
                "--metadata",
                str(directory / "warm-metadata.xml"),
            ],
            "check-metadata": ["check-metadata", str(directory / "warm-metadata.xml"), "--at", corpus.AT],
        }
        rows = []
        for entry in listing:
            samples = []
            for _ in range(args.runs):
                proc = subprocess.run(
                    [sys.executable, "-c", code, json.dumps(entry["argv"]), json.dumps(warm[entry["argv"][0]])],
                    capture_output=True,
                    timeout=300,
                    check=False,
                )
                if proc.returncode != 0:
                    raise SystemExit(f"{entry['name']}: {proc.stderr.decode()[-2000:]}")
                samples.append(json.loads(proc.stdout))
            size = Path(entry["argv"][1]).stat().st_size
            rows.append(
                (
                    entry["name"],
                    size,
                    min(s["seconds"] for s in samples),
                    max(s["extra"] for s in samples) / (1024 * 1024),
                    samples[0]["exit"],
                    ",".join(sorted(set(samples[0]["codes"]) - {"response.inresponseto.idp_initiated"}))[:60],
                )
            )
    print(f"Hostile-input corpus ({len(rows)} entries), each command in a fresh process, best of {args.runs}")
    print(f"  {'entry':<44} {'bytes':>11} {'CPU s':>7} {'extra MiB':>9}  exit  findings")
    for name, size, seconds, mib, exit_code, codes in rows:
        print(f"  {name:<44} {size:>11,} {seconds:7.3f} {mib:9.1f}  {exit_code:>4}  {codes}")
    worst_time = max(rows, key=lambda r: r[2])
    worst_memory = max(rows, key=lambda r: r[3])
    print(f"  worst time:   {worst_time[2]:.3f} s ({worst_time[0]})")
    print(f"  worst memory: {worst_memory[3]:.1f} MiB extra ({worst_memory[0]})")
    met = worst_time[2] < AIM_SECONDS and worst_memory[3] < AIM_MIB
    print(f"  aim: under {AIM_SECONDS:g} s and {AIM_MIB:g} MiB for every entry: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
