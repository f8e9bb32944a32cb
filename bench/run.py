"""Measure ruhrtimeline against its targets and print the table for docs/benchmarks.md.

    python -m pip install .              # a regular install: timings of an editable one differ
    python bench/run.py                  # everything (about 15 minutes on two cores)
    python bench/run.py --sizes 10000    # start-up and the 10k store only

Start-up commands run on the bundled store with a warm cache; the 10k and 100k stores are
generated (seeded) into bench/stores/ on first use.  Timings use hyperfine where it is
installed, otherwise a plain loop in Python; every time is a median, and ratios compare
medians taken in the same run.  khal, the reference terminal calendar, is measured too when
it is installed (`pip install khal`, or --khal PATH).  Peak memory is the largest resident set
of the command's process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
STORES = HERE / "stores"
RESULTS = HERE / "results"
YEAR = "2000"
ADD_EVENT = [
    "--date",
    "2026-03-12",
    "--title-en",
    "Forum",
    "--title-de",
    "Forum",
    "--partner",
    "partner-1",
    "--source",
    "https://www.example.org/benchmark-forum",
]


@dataclass
class Timing:
    name: str
    command: list[str]
    median: float  # seconds
    runs: int


def ruhrtimeline() -> list[str]:
    found = shutil.which("ruhrtimeline")
    return [found] if found else [sys.executable, "-m", "ruhrtimeline"]


def measure(
    name: str,
    command: list[str],
    runs: int,
    *,
    prepare: list[str] | None = None,
    env: dict[str, str] | None = None,
    warmup: int = 2,
) -> Timing:
    """Median wall time of ``command`` (its output discarded)."""
    full_env = dict(os.environ, **(env or {}))
    hyperfine = shutil.which("hyperfine")
    if hyperfine and not env:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            export = handle.name
        args = [
            hyperfine,
            "-N",
            "--runs",
            str(runs),
            "--warmup",
            str(warmup if not prepare else 0),
            "--export-json",
            export,
            "--style",
            "none",
        ]
        if prepare:
            args += ["--prepare", " ".join(prepare)]
        args.append(" ".join(_quote(c) for c in command))
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=full_env)
        data = json.loads(Path(export).read_text())
        os.unlink(export)
        return Timing(name, command, statistics.median(data["results"][0]["times"]), runs)
    times = []
    for i in range(warmup + runs):
        if prepare:
            subprocess.run(prepare, check=True, stdout=subprocess.DEVNULL, env=full_env)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=full_env)
        if i >= warmup or prepare:
            times.append(time.perf_counter() - start)
    return Timing(name, command, statistics.median(times[-runs:]), runs)


def _quote(text: str) -> str:
    return text if text and all(c.isalnum() or c in "-_./=:," for c in text) else repr(text)


def peak_memory(command: list[str]) -> float:
    """The largest resident set (MiB) of the command, run once in a fresh child process."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    ).stdout
    value = int(out.strip())
    return value / 1024 / 1024 if sys.platform == "darwin" else value / 1024


def ensure_store(size: int) -> Path:
    path = STORES / f"events-{size // 1000}k.yaml"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        from generate import generate

        STORES.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} …", file=sys.stderr)
        path.write_text(generate(size), encoding="utf-8")
    return path


def khal_setup(khal: str, work: Path) -> list[str] | None:
    """A khal calendar with the bundled store's events, one .ics file an event."""
    import icalendar

    calendar_dir = work / "khal" / "calendar"
    calendar_dir.mkdir(parents=True, exist_ok=True)
    feed = subprocess.run(
        [*ruhrtimeline(), "export", "ics", "--imprecise", "start"], capture_output=True, check=True
    ).stdout
    parsed = icalendar.Calendar.from_ical(feed)
    zones = list(parsed.walk("VTIMEZONE"))
    for event in parsed.walk("VEVENT"):
        single = icalendar.Calendar()
        single.add("prodid", "-//bench//EN")
        single.add("version", "2.0")
        for zone in zones:
            single.add_component(zone)
        single.add_component(event)
        (calendar_dir / f"{event['UID']}.ics").write_bytes(single.to_ical())
    config = work / "khal" / "config"
    config.write_text(
        f"[calendars]\n[[ruhr]]\npath = {calendar_dir}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        f"[sqlite]\npath = {work / 'khal' / 'khal.db'}\n",
        encoding="utf-8",
    )
    command = [khal, "-c", str(config), "list", "2017-01-01", "4000d"]
    subprocess.run(command, check=True, capture_output=True)  # khal builds its cache
    return command


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(
        f"{p} {metadata.version(p)}"
        for p in ("ruhrtimeline", "click", "pydantic", "icalendar", "PyYAML", "rich")
    )
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {versions}"
    )


def row(
    label: str,
    t: Timing,
    base: Timing | None = None,
    target: str = "",
    met: bool | None = None,
    unit: str = "ms",
) -> str:
    value = f"{t.median * 1000:.1f} ms" if unit == "ms" else f"{t.median:.2f} s"
    ratio = f"{t.median / base.median:.2f}×" if base else ""
    mark = "" if met is None else ("met" if met else "**not met**")
    return f"| {label} | `{' '.join(_short(t.command))}` | {value} | {ratio} | {target} | {mark} |"


def _short(command: list[str]) -> list[str]:
    out = []
    for part in command:
        if part.startswith(("/", sys.executable)) and (
            "ruhrtimeline" in part or part == sys.executable
        ):
            out.append(Path(part).name)
        else:
            out.append(part.replace(str(HERE.parent) + "/", ""))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="store sizes to measure (comma-separated; empty for none)",
    )
    parser.add_argument("--runs", type=int, default=30, help="runs of each start-up command")
    parser.add_argument("--big-runs", type=int, default=3, help="runs of each 100k command")
    parser.add_argument("--khal", default=shutil.which("khal"), help="khal to compare with")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rt = ruhrtimeline()
    work = Path(tempfile.mkdtemp(prefix="ruhrtimeline-bench-"))
    os.environ["RUHRTIMELINE_CACHE_DIR"] = str(work / "cache")
    out: list[str] = [f"Machine: {machine()}.", ""]

    # --- start-up on the bundled store -----------------------------------------------------
    subprocess.run([*rt, "list"], check=True, capture_output=True)  # warm the cache
    n = args.runs
    floor = measure("python -c pass", [sys.executable, "-c", "pass"], n)
    version = measure("--version", [*rt, "--version"], n)
    helptext = measure("--help", [*rt, "--help"], n)
    listing = measure("list", [*rt, "list", "--partner", "gzm", "--format", "json"], n)
    timeline = measure("timeline", [*rt, "timeline"], n)
    show = measure("show", [*rt, "show", "rvr-gzm-partnership-agreement-2019"], n)
    complete = measure(
        "complete",
        [
            "env",
            "_RUHRTIMELINE_COMPLETE=bash_complete",
            "COMP_WORDS=ruhrtimeline list --partner g",
            "COMP_CWORD=3",
            *rt,
        ],
        n,
    )
    khal = None
    if args.khal:
        command = khal_setup(args.khal, work)
        if command:
            khal = measure("khal list", command, n)
    out += [
        "### Start-up (bundled store, warm cache)",
        "",
        "| what | command | median | × `python -c pass` | target | |",
        "|---|---|---:|---:|---|---|",
        row("floor", floor, floor),
    ]
    out.append(row("version", version, floor, "≤ 4×", version.median <= 4 * floor.median))
    out.append(row("help", helptext, floor, "≤ 12×", helptext.median <= 12 * floor.median))
    for label, timing in (
        ("list by partner, JSON", listing),
        ("timeline", timeline),
        ("one event", show),
        ("complete a partner id", complete),
    ):
        faster = f", {khal.median / timing.median:.1f}× faster than khal" if khal else ""
        ok = timing.median <= 8 * floor.median and (
            khal is None or khal.median >= 2.5 * timing.median
        )
        out.append(row(label, timing, floor, f"≤ 8×, ≥ 2.5× faster than khal{faster}", ok))
    if khal:
        out.append(row("khal (reference)", khal, floor))
    out.append("")

    # --- large stores -----------------------------------------------------------------------
    results: dict[int, dict[str, Timing]] = {}
    memory: dict[int, dict[str, float]] = {}
    warm_after_add: dict[int, bool] = {}
    for size in sizes:
        store = ensure_store(size)
        big = size >= 100_000
        runs = args.big_runs if big else max(5, args.big_runs)
        clear = [*rt, "cache", "clear"]
        feeds_dir = work / f"feeds-{size}"
        listing_json = work / f"events-{size}.json"
        subprocess.run(
            [*rt, "list", "--format", "json", "--store", str(store), "-o", str(listing_json)],
            check=True,
            capture_output=True,
        )
        timings = {
            "yaml": measure(
                "PyYAML C loader",
                [
                    sys.executable,
                    "-c",
                    "import sys, yaml; yaml.load(open(sys.argv[1], "
                    "encoding='utf-8'), Loader=yaml.CSafeLoader)",
                    str(store),
                ],
                runs,
                warmup=0,
            )
            if not big
            else None,
            "cold": measure(
                "cold list",
                [*rt, "list", "--year", YEAR, "--format", "json", "--store", str(store)],
                runs,
                prepare=clear,
            ),
            "warm": measure(
                "warm list",
                [*rt, "list", "--year", YEAR, "--format", "json", "--store", str(store)],
                runs if big else 10,
            ),
            "baseline": measure(
                "icalendar baseline",
                [
                    sys.executable,
                    str(HERE / "icalendar_baseline.py"),
                    str(listing_json),
                    str(work / "baseline.ics"),
                ],
                runs,
                warmup=0,
            ),
            "export": measure(
                "export ics",
                [
                    *rt,
                    "export",
                    "ics",
                    "--lang",
                    "en",
                    "--store",
                    str(store),
                    "-o",
                    str(work / "all.ics"),
                ],
                runs,
                warmup=1,
            ),
            "feeds": measure(
                "feeds build",
                [*rt, "feeds", "build", str(feeds_dir), "--lang", "en", "--store", str(store)],
                runs,
                warmup=0,
                prepare=["rm", "-rf", str(feeds_dir)],
            ),
        }
        # Keeping the record: `add event` into a copy of the store whose index is warm, then
        # the next `list` (each run adds one more event, so each list follows a fresh write).
        kept = work / f"kept-{size}.yaml"
        shutil.copyfile(store, kept)
        add = [*rt, "add", "event", "--store", str(kept), *ADD_EVENT]
        subprocess.run([*rt, "list", "--store", str(kept)], check=True, capture_output=True)
        timings["add"] = measure("add event", add, runs, warmup=1)
        timings["after_add"] = measure(
            "list after add",
            [*rt, "list", "--year", YEAR, "--format", "json", "--store", str(kept)],
            runs,
            prepare=add,
        )
        subprocess.run(add, check=True, capture_output=True)
        debug = subprocess.run(
            [*rt, "--debug", "list", "--year", YEAR, "--store", str(kept)],
            check=True,
            capture_output=True,
            text=True,
        ).stderr
        warm_after_add[size] = "cached index" in debug
        kept.unlink()
        results[size] = {k: v for k, v in timings.items() if v is not None}
        subprocess.run(clear, check=True, capture_output=True)
        memory[size] = {
            "validate (cold)": peak_memory([*rt, "validate", str(store)]),
            "list --year (warm)": peak_memory(
                [*rt, "list", "--year", YEAR, "--format", "json", "--store", str(store)]
            ),
            "timeline --year (warm)": peak_memory(
                [*rt, "timeline", "--year", YEAR, "--store", str(store)]
            ),
            "report YEAR --format json": peak_memory(
                [*rt, "report", YEAR, "--format", "json", "--store", str(store)]
            ),
            "export ics": peak_memory(
                [*rt, "export", "ics", "--store", str(store), "-o", str(work / "all.ics")]
            ),
            "feeds build (both languages)": peak_memory(
                [*rt, "feeds", "build", str(work / f"mem-{size}"), "--store", str(store)]
            ),
        }
        r = results[size]
        out += [
            f"### {size:,} events ({store.stat().st_size / 2**20:.0f} MiB of YAML)",
            "",
            "| what | command | median | ratio | target | |",
            "|---|---|---:|---:|---|---|",
        ]
        if "yaml" in r:
            out.append(row("PyYAML's C loader alone", r["yaml"], unit="s"))
            out.append(
                row(
                    "first run after a change (cold)",
                    r["cold"],
                    r["yaml"],
                    "≤ 1.3× the C loader",
                    r["cold"].median <= 1.3 * r["yaml"].median,
                    unit="s",
                )
            )
        else:
            out.append(row("first run after a change (cold)", r["cold"], unit="s"))
        limit = 1.0 if big else 0.25
        out.append(
            row(
                "later runs (warm) `list --year`",
                r["warm"],
                None,
                f"≤ {limit} s",
                r["warm"].median <= limit,
                unit="s",
            )
        )
        out.append(row("icalendar's own build and serialise", r["baseline"], unit="s"))
        out.append(
            row(
                "`export ics`",
                r["export"],
                r["baseline"],
                "≤ 1.2× icalendar",
                r["export"].median <= 1.2 * r["baseline"].median,
                unit="s",
            )
        )
        out.append(
            row(
                "`feeds build` (all, per partner, per topic)",
                r["feeds"],
                r["export"],
                "≤ 1.5× one export",
                r["feeds"].median <= 1.5 * r["export"].median,
                unit="s",
            )
        )
        out.append(
            row(
                "`add event` (index warm before)",
                r["add"],
                None,
                "≤ 3 s",
                r["add"].median <= 3.0,
                unit="s",
            )
        )
        out.append(
            row(
                "the next `list --year` after an add",
                r["after_add"],
                r["warm"],
                "a warm run, not a rebuild",
                warm_after_add[size],
                unit="s",
            )
        )
        out += ["", "| command | peak memory | target | |", "|---|---:|---|---|"]
        for label, mib in memory[size].items():
            out.append(
                f"| {label} | {mib:.0f} MiB | < 1 GiB | {'met' if mib < 1024 else '**not met**'} |"
            )
        out.append("")
    if 10_000 in results and 100_000 in results:
        small, large = results[10_000], results[100_000]
        out += [
            "### Growth from 10,000 to 100,000 events",
            "",
            "| step | 10k | 100k | growth | target | |",
            "|---|---:|---:|---:|---|---|",
        ]
        for key, label in (
            ("cold", "cold load"),
            ("warm", "warm `list --year`"),
            ("export", "`export ics`"),
            ("feeds", "`feeds build`"),
        ):
            growth = large[key].median / small[key].median
            linear: bool | None = growth <= 11 if key != "warm" else None
            out.append(
                f"| {label} | {small[key].median:.2f} s | {large[key].median:.2f} s | "
                f"{growth:.1f}× | {'≤ 11×' if linear is not None else 'sublinear'} | "
                f"{'' if linear is None else ('met' if linear else '**not met**')} |"
            )
        out.append("")
    text = "\n".join(out)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
