#!/usr/bin/env python3
"""What watching the sites' memory costs the daemon, and how soon a site over its limit is restarted:
sitevisor's memory watch beside PM2's max_memory_restart and supervisord's memmon (superlance).

Usage: bench/memory.py [--quick] [--sites 300] [--idle-rounds 3] [--idle-seconds 30] [--settle 40]
                       [--rounds 5] [--latency-sites 5] [--spread 30] [--grow-mb 200]
                       [--systems pm2,memmon,sitevisor] [--pm2-without-limits] [--sitevisor CHECKOUT]
                       [--superlance DIR] [--no-build] [--no-install] [--write-results FILE]

Two measures (issue 20, item 5):
  watch cost   the daemon's CPU over idle windows with --sites small Python sites (bench/site.py),
               from /proc/PID/task/*/schedstat as bench/compare.py reads it: sitevisor without any
               memory limit, then with `memory: { warn: 400MB, restart: 512MB, for: 30s }` on every
               site, one daemon start per window, the two configurations taking turns; the
               difference of the medians is what the watch costs. PM2's daemon with
               `max_memory_restart: 512M` on every site beside it (its worker polls every app's
               memory on a timer, limit or not; --pm2-without-limits measures it without, too).
  limit→restart  one of --latency-sites sites (each round another) is asked GET /grow?mb=200, which
               makes it hold 200 MB, every page written, past a restart limit of 100 MB
               (sitevisor `memory: { restart: 100MB, for: 0s }`, PM2 `max_memory_restart: 100M`,
               memmon `-p sN=100MB` on TICK_60 events); from the moment the request returned:
               "restart begins", until the site's process is gone (it exits at once on its stop
               signal: this is the signal plus the ~20 ms a process of 218 MB takes to exit and
               free its memory, the same for every system), and "new pid answers",
               until its port answers from a new pid. Both are the same for every system. For
               sitevisor, also the daemon's own log: its `memory:` line and its `draining:` or
               `stopping:` line by [policy memory]. A system that polls on a timer restarts at its
               next tick: before each round the run waits spread × frac(k × 0.618...) seconds, so
               that the rounds' crossings fall at spread-out moments of the tick (a low-discrepancy
               sequence, the same for every system), and the report also gives the time between
               successive restarts, where a timer shows itself.

Peers run first, then sitevisor. A peer or a configuration that is not available is left out with
the reason: memmon needs superlance, which this script tries to get into bench/.peers/superlance as
bench/peers.sh gets supervisor (`apt-get download superlance` and `dpkg -x`, else `pip download`);
a sitevisor whose config refuses `memory:` ("not supported by this version yet") is measured
without limits only.

Everything runs in a fresh temporary folder; every process this run starts carries that folder in
its command line (PM2's daemon names its PM2_HOME there), and is stopped at the end, also on
failure or Ctrl-C. Site ports are 25000 and up, sitevisor's agent 18792, supervisord's socket a
file: a port held by something else stops the run before it starts anything there.
"""
import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ left in bench/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import (PEERS, PM2_PACKAGE, PYTHON, ROOT, SUPERVISOR_LIB, Pm2 as ComparePm2,  # noqa: E402
                     answer, idle_cpu_percent, machine_facts, median_text, number, port_free,
                     processes_mentioning, rss_mb, run_quiet, wait_all_answer)

SITE_PORT_BASE = 25000
JOLOKIA_PORT = 18792
SUPERLANCE = PEERS / "superlance"
superlance_sources = None  # --superlance: a folder of superlance's sources to use instead
IDLE_LIMITS = {"warn": "400MB", "restart": "512MB", "for": "30s"}
PM2_IDLE_LIMIT = "512M"
LATENCY_LIMIT_MB = 100
GOLDEN = (5 ** 0.5 - 1) / 2
MEMMON_TICK = 60  # superlance's documentation: subscribe memmon to TICK_60
UP_DEADLINE = 600
RESTART_DEADLINE = 180  # longer than any poll this measures: PM2's 30 s, memmon's 60 s


def log(message):
    print(message, file=sys.stderr, flush=True)


class Site:
    def __init__(self, index):
        self.name = f"s{index}"
        self.port = SITE_PORT_BASE + index


def alive(pid):
    """True while pid runs: false once it is gone or a zombie (it has exited, its parent has not reaped it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, deadline, what, pause=0.002):
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting until {what}")
        time.sleep(pause)


def get(port, path, timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def stop_leftovers(work):
    """SIGKILL to whatever this run started and is still there: only processes naming its folder."""
    leftovers = processes_mentioning(str(work))
    names = []
    for pid in leftovers:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                names.append(cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()[:100])
        except OSError:
            pass
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in leftovers) and time.monotonic() < deadline:
        time.sleep(0.01)
    if leftovers:
        log(f"  stopped {len(leftovers)} processes this run had left behind: {'; '.join(names[:3])}")


def wait_ports_free(ports):
    """Returns once every port is free: the last run's sites may still be letting theirs go."""
    deadline = time.monotonic() + 60
    while not all(port_free(port) for port in ports):
        if time.monotonic() > deadline:
            busy = [port for port in ports if not port_free(port)]
            raise RuntimeError(f"ports {busy[:5]} are held by something this run did not start")
        time.sleep(0.05)


class Run:
    """One system running the sites in a folder of its own, under the run's work folder."""
    name = ""

    def __init__(self, work, folder, sites, limit):
        self.work = work
        self.folder = work / folder
        self.folder.mkdir()
        (self.folder / "logs").mkdir()
        self.sites = sites
        self.limit = limit  # None: no memory limit
        self.env = None

    def site_argv(self, site):
        return [PYTHON, str(self.work / "site.py"), str(site.port)]

    def start(self): raise NotImplementedError
    def daemon_pid(self): raise NotImplementedError
    def running(self): return len(self.sites)
    def shutdown(self): pass

    def ports(self):
        return [site.port for site in self.sites]

    def up(self):
        wait_ports_free(self.ports())
        self.start()
        wait_all_answer(self.sites, time.monotonic() + UP_DEADLINE)
        deadline = time.monotonic() + 120
        while (count := self.running()) != len(self.sites):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: {count} of {len(self.sites)} sites running after 120 s")
            time.sleep(0.2)


class SitevisorRun(Run):
    name = "sitevisor"
    root = ROOT

    def __init__(self, work, folder, sites, limit):
        super().__init__(work, folder, sites, limit)
        self.config = self.folder / "sitevisor.yml"
        lines = ["home: home", f"jolokia: {{ port: {JOLOKIA_PORT} }}", "sites:"]
        for site in sites:
            argv = ", ".join(json.dumps(word) for word in self.site_argv(site))
            lines += [f"  {site.name}:", f"    command: [{argv}]", f"    directory: {self.work}",
                      f"    port: {site.port}", "    restart: always", "    stopTimeout: 10s",
                      "    logs: { maxSize: 10MB, backups: 3 }"]
            if limit:
                lines.append("    memory: { " + ", ".join(f"{key}: {value}" for key, value in limit.items()) + " }")
        self.config.write_text("\n".join(lines) + "\n")
        self.daemon = None

    def cli(self, *words):
        return [str(self.root / "bin" / "sitevisor"), *words, "-c", str(self.config)]

    def ports(self):
        return super().ports() + [JOLOKIA_PORT]

    @classmethod
    def refuses_limits(cls, work):
        """None when this build takes `memory:` in a site's config, else the reason it gives."""
        probe = SitevisorRun(work, "check-memory", [Site(0)], IDLE_LIMITS)
        code, output = run_quiet(probe.cli("check"))
        if code == 0:
            return None
        lines = [line for line in output.splitlines() if "memory" in line] or output.splitlines() or ["?"]
        return re.sub(r" in \S+ line \d+", "", lines[0].strip())

    def start(self):
        with open(self.folder / "daemon.out", "ab") as output:
            self.daemon = subprocess.Popen(self.cli("run"), stdin=subprocess.DEVNULL, stdout=output,
                                           stderr=subprocess.STDOUT)

    def daemon_pid(self):
        return self.daemon.pid

    def running(self):
        code, output = run_quiet(self.cli("status"))
        return sum(1 for line in output.splitlines() if " RUNNING " in f" {line} ") if code == 0 else -1

    def log_lines(self):
        path = self.folder / "home" / "sitevisor.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def shutdown(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            self.daemon.wait(timeout=120)


class Pm2Run(Run):
    name = "pm2"

    @staticmethod
    def installed():
        return ComparePm2.installed()

    def __init__(self, work, folder, sites, limit):
        super().__init__(work, folder, sites, limit)
        self.home = self.folder / "pm2-home"
        self.env = dict(os.environ, PM2_HOME=str(self.home))
        apps = []
        for site in sites:
            app = {"name": site.name, "script": str(self.work / "site.py"), "interpreter": PYTHON,
                   "args": [str(site.port)], "cwd": str(self.work), "autorestart": True, "restart_delay": 0,
                   "kill_timeout": 10000, "treekill": True,
                   "out_file": str(self.folder / "logs" / f"{site.name}.log"),
                   "error_file": str(self.folder / "logs" / f"{site.name}.log")}
            if limit:
                app["max_memory_restart"] = limit
            apps.append(app)
        self.config = self.folder / "ecosystem.json"
        self.config.write_text(json.dumps({"apps": apps}, indent=1))

    def cli(self, *words):
        return ["node", str(PM2_PACKAGE / "bin" / "pm2"), *words]

    def start(self):
        # `pm2 start` returns once every app is launched, its daemon staying behind
        code, output = run_quiet(self.cli("start", str(self.config)), env=self.env)
        if code != 0:
            raise RuntimeError(f"pm2 start exited {code}: {output[-500:]}")

    def daemon_pid(self):
        return int((self.home / "pm2.pid").read_text())

    def running(self):
        code, output = run_quiet(self.cli("jlist"), env=self.env)
        try:
            return sum(1 for app in json.loads(output[output.index("["):]) if app["pm2_env"]["status"] == "online")
        except (ValueError, KeyError):
            return -1

    def worker_lines(self):
        path = self.home / "pm2.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return [line for line in text.splitlines() if "max-memory-restart" in line]

    def shutdown(self):
        if (self.home / "pm2.pid").exists():
            daemon = self.daemon_pid()
            run_quiet(self.cli("kill"), env=self.env, timeout=600)
            # `pm2 kill` returns before its daemon has exited
            wait_until(lambda: not alive(daemon), time.monotonic() + 30, "PM2's daemon exits", pause=0.01)


def superlance_lib():
    """The folder to put on PYTHONPATH for superlance's memmon, or None."""
    if superlance_sources:
        return superlance_sources if (superlance_sources / "superlance" / "memmon.py").exists() else None
    for candidate in sorted(SUPERLANCE.glob("**/superlance/memmon.py")):
        return candidate.parent.parent
    return None


def install_superlance():
    """Gets superlance into bench/.peers/superlance as bench/peers.sh gets supervisor; returns why not, or None."""
    if superlance_lib():
        return None
    reasons = []
    if shutil.which("apt-get") and shutil.which("dpkg"):
        download = Path(tempfile.mkdtemp(prefix="superlance-"))
        try:
            download.chmod(0o777)  # apt's download user writes here when it can
            completed = subprocess.run(["apt-get", "download", "superlance"], cwd=download, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
            output = completed.stdout.decode(errors="replace")
            debs = list(download.glob("superlance_*.deb"))
            if completed.returncode == 0 and debs:
                subprocess.run(["dpkg", "-x", str(debs[0]), str(SUPERLANCE)], check=True)
                log(f"memmon: Debian's superlance unpacked into {SUPERLANCE}")
                return None
            reasons.append(f"apt-get download superlance: {(output.strip().splitlines() or ['failed'])[-1]}")
        finally:
            shutil.rmtree(download, ignore_errors=True)
    else:
        reasons.append("no apt-get/dpkg on this machine")
    download = Path(tempfile.mkdtemp(prefix="superlance-"))
    try:
        completed = subprocess.run([PYTHON, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                                    "--retries", "1", "--timeout", "10", "-d", str(download), "superlance==2.0.0"],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=180)
        wheels = list(download.glob("superlance-*.whl"))
        if completed.returncode == 0 and wheels:
            with zipfile.ZipFile(wheels[0]) as wheel:
                wheel.extractall(SUPERLANCE / "lib")
            log(f"memmon: superlance 2.0.0 unpacked from its wheel into {SUPERLANCE / 'lib'}")
            return None
        text = completed.stdout.decode(errors="replace")
        output = text.strip().splitlines() or ["failed"]
        unreachable = re.search(r"connection broken by .*?HTTPSConnection object at 0x[0-9a-f]+>: ([^']*)", text)
        reasons.append("pip download superlance==2.0.0: " + output[-1].removeprefix("ERROR: ")
                       + (f" (PyPI cannot be reached from here: {unreachable.group(1).strip()})" if unreachable else ""))
    except (OSError, subprocess.TimeoutExpired) as failure:
        reasons.append(f"pip download superlance: {failure}")
    finally:
        shutil.rmtree(download, ignore_errors=True)
    return "; ".join(reasons)


class MemmonRun(Run):
    """supervisord with superlance's memmon as its event listener on TICK_60, as memmon's documentation configures it."""
    name = "memmon"

    @staticmethod
    def installed():
        return (PEERS / "supervisor" / "usr" / "bin" / "supervisord").exists() and PYTHON == "/usr/bin/python3"

    def __init__(self, work, folder, sites, limit):
        super().__init__(work, folder, sites, limit)
        self.config = self.folder / "supervisord.conf"
        self.env = dict(os.environ, PYTHONPATH=f"{superlance_lib()}:{SUPERVISOR_LIB}")
        sections = [
            f"[unix_http_server]\nfile={self.folder}/supervisor.sock\nchmod=0700\n",
            f"[supervisord]\nlogfile={self.folder}/supervisord.log\npidfile={self.folder}/supervisord.pid\n"
            f"childlogdir={self.folder}/logs\nnodaemon=true\nminfds=4096\n",
            "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
            f"[supervisorctl]\nserverurl=unix://{self.folder}/supervisor.sock\n",
        ]
        for site in sites:
            sections.append(
                f"[program:{site.name}]\ncommand={' '.join(self.site_argv(site))}\ndirectory={self.work}\n"
                "autostart=true\nautorestart=true\nstopsignal=TERM\nstopwaitsecs=10\nstopasgroup=true\n"
                f"killasgroup=true\nredirect_stderr=true\nstdout_logfile={self.folder}/logs/{site.name}.log\n")
        if limit:
            programs = " ".join(f"-p {site.name}={limit}" for site in sites)
            sections.append(f"[eventlistener:memmon]\ncommand={PYTHON} -m superlance.memmon {programs}\n"
                            f"events=TICK_60\nstderr_logfile={self.folder}/logs/memmon.log\n")
        self.config.write_text("\n".join(sections))
        self.daemon = None

    def start(self):
        with open(self.folder / "daemon.out", "ab") as output:
            self.daemon = subprocess.Popen(
                [PYTHON, str(PEERS / "supervisor" / "usr" / "bin" / "supervisord"), "-c", str(self.config)],
                env=self.env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)

    def daemon_pid(self):
        return self.daemon.pid

    def running(self):
        code, output = run_quiet([PYTHON, str(PEERS / "supervisor" / "usr" / "bin" / "supervisorctl"),
                                  "-c", str(self.config), "status"], env=self.env)
        return sum(1 for line in output.splitlines() if " RUNNING " in line and not line.startswith("memmon"))

    def shutdown(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            self.daemon.wait(timeout=120)


def measure_idle(kind, work, sites, configurations, rounds, seconds, settle, results):
    """One window per daemon start, the configurations taking turns: the machine's speed drifts
    within minutes, and the watch's cost is a small difference between two medians."""
    for round_index in range(rounds):
        for label, limit in configurations:
            run = kind(work, f"{kind.name}-idle-{label}-{round_index + 1}", sites, limit)
            try:
                started = time.perf_counter()
                run.up()
                log(f"  {kind.name} {label}: {len(sites)} sites running after {time.perf_counter() - started:.1f} s; "
                    f"settling {settle} s")
                time.sleep(settle)  # past the start's own after-effects: compilation, the first full readings
                pid = run.daemon_pid()
                results[label]["cpu"].append(idle_cpu_percent(pid, seconds))
                results[label]["rss"].append(rss_mb(pid))
                log(f"  {kind.name} {label}, window {round_index + 1}: idle CPU {results[label]['cpu'][-1]:.3f} %, "
                    f"RSS {results[label]['rss'][-1]:.1f} MB")
            finally:
                try:
                    run.shutdown()
                finally:
                    stop_leftovers(work)


def measure_idle_one_start(kind, work, sites, label, limit, rounds, seconds, settle, results):
    """Every window in one start: for a peer measured in one configuration only."""
    run = kind(work, f"{kind.name}-idle-{label}", sites, limit)
    try:
        started = time.perf_counter()
        run.up()
        log(f"  {kind.name} {label}: {len(sites)} sites running after {time.perf_counter() - started:.1f} s; "
            f"settling {settle} s")
        time.sleep(settle)
        pid = run.daemon_pid()
        for round_index in range(rounds):
            results[label]["cpu"].append(idle_cpu_percent(pid, seconds))
            results[label]["rss"].append(rss_mb(pid))
            log(f"  {kind.name} {label}, window {round_index + 1}: idle CPU {results[label]['cpu'][-1]:.3f} %, "
                f"RSS {results[label]['rss'][-1]:.1f} MB")
    finally:
        try:
            run.shutdown()
        finally:
            stop_leftovers(work)


def log_time(line):
    """The instant at the head of a sitevisor log line (2026-12-08T10:00:00.123Z ...), as epoch seconds."""
    return datetime.datetime.fromisoformat(line.split(" ", 1)[0].replace("Z", "+00:00")).timestamp()


def sitevisor_log_marks(run, site, since):
    """Seconds from since (epoch) to the daemon's first `memory:` line for the site and to its first
    draining/stopping line by [policy memory]; None for one not (yet) there."""
    memory = decision = None
    pattern = re.compile(rf"^\S+\s+\S+\s+(memory|draining|stopping): {re.escape(site.name)}(-\d+)?:")
    for line in run.log_lines():
        found = pattern.match(line)
        if not found:
            continue
        try:
            at = log_time(line) - since
        except ValueError:
            continue
        if at < -5:
            continue
        if found.group(1) == "memory" and memory is None:
            memory = at
        elif found.group(1) != "memory" and "policy memory" in line and decision is None:
            decision = at
    return memory, decision


def measure_latency(kind, work, sites, limit, rounds, spread, grow_mb, results):
    run = kind(work, f"{kind.name}-latency", sites, limit)
    try:
        run.up()
        log(f"  {kind.name}: {len(sites)} sites running, limit {limit}")
        restart_times = []
        for round_index in range(rounds):
            site = sites[round_index % len(sites)]
            old_pid = answer(site.port)
            if old_pid is None:
                wait_until(lambda: answer(site.port) is not None, time.monotonic() + 60, f"{site.name} answers")
                old_pid = answer(site.port)
            delay = spread * (((round_index + 1) * GOLDEN) % 1)
            time.sleep(delay)  # where this round's crossing falls in a poller's cycle: see the module's doc
            status, body = get(site.port, f"/grow?mb={grow_mb}")
            returned, returned_wall = time.perf_counter(), time.time()
            if status != 200:
                raise RuntimeError(f"GET /grow on {site.name}: {status} {body[:200]}")
            deadline = time.monotonic() + RESTART_DEADLINE
            try:
                wait_until(lambda: not alive(old_pid), deadline, f"{site.name}'s pid {old_pid} is gone")
            except RuntimeError:
                results["missed"].append(f"{site.name} (round {round_index + 1}): still running "
                                         f"{RESTART_DEADLINE} s after it grew past its limit")
                log(f"  {kind.name}: round {round_index + 1}: {site.name} NOT restarted within {RESTART_DEADLINE} s")
                log(f"  {kind.name}: no more rounds: it does not act on the limit (a poll would have by now)")
                break
            gone, gone_wall = time.perf_counter(), time.time()
            wait_until(lambda: answer(site.port) not in (None, old_pid), deadline,
                       f"{site.name} answers from a new pid", pause=0.001)
            answered = time.perf_counter()
            results["begins"].append((gone - returned) * 1000)
            results["answers"].append((answered - returned) * 1000)
            restart_times.append(gone_wall)
            marks = ""
            if isinstance(run, SitevisorRun):
                memory, decision = sitevisor_log_marks(run, site, returned_wall)
                if memory is not None:
                    results["log_memory"].append(memory * 1000)
                if decision is not None:
                    results["log_decision"].append(decision * 1000)
                marks = (f"; its log: memory line {'—' if memory is None else f'{memory * 1000:,.0f} ms'}, "
                         f"stop by [policy memory] {'—' if decision is None else f'{decision * 1000:,.0f} ms'}")
            log(f"  {kind.name}: round {round_index + 1} ({site.name}, after {delay:.1f} s): restart began "
                f"{results['begins'][-1]:,.0f} ms after the grow returned ({body.strip()}), new pid answered at "
                f"{results['answers'][-1]:,.0f} ms{marks}")
        results["spacing"] = [later - earlier for earlier, later in zip(restart_times, restart_times[1:])]
        if isinstance(run, SitevisorRun):
            code, output = run_quiet(run.cli("history", sites[0].name, "-n", "8"))
            log(f"  sitevisor history {sites[0].name}:\n" + "\n".join("    " + line for line in output.splitlines()))
            results["evidence"] = [line for line in run.log_lines() if "policy memory" in line or " memory: " in line][:6]
        elif isinstance(run, Pm2Run):
            results["evidence"] = run.worker_lines()[:6]
        elif isinstance(run, MemmonRun):
            memmon_log = run.folder / "logs" / "memmon.log"
            results["evidence"] = [line for line in memmon_log.read_text(errors="replace").splitlines()
                                   if "Restarting" in line][:6] if memmon_log.exists() else []
        for line in results.get("evidence", []):
            log(f"    {line}")
    finally:
        try:
            run.shutdown()
        finally:
            stop_leftovers(work)


def new_idle():
    return {"cpu": [], "rss": []}


def new_latency():
    return {"begins": [], "answers": [], "log_memory": [], "log_decision": [], "spacing": [], "missed": []}


def seconds_text(values):
    """Medians of ms values in seconds with min-max, for figures that run to tens of seconds."""
    if not values:
        return "—"
    low, middle, high = (value / 1000 for value in (min(values), statistics.median(values), max(values)))
    digits = 2 if high < 10 else 1
    if len(values) == 1:
        return f"{number(middle, digits)} s"
    return f"{number(middle, digits)} s ({number(low, digits)}–{number(high, digits)})"


def report(args, machine, idle, latency, notes):
    lines = [f"Measured {machine['date']} on {machine['cpu']} ({machine['cores']} cores, "
             f"{machine['memory']}), {machine['kernel']}; {machine['versions']}. Medians with min–max.", ""]
    lines += [] if not idle else [f"### The watch's cost: the daemon's idle CPU at {args.sites} sites",
              "",
              f"{args.idle_rounds} window{'s' if args.idle_rounds != 1 else ''} of {args.idle_seconds} s per configuration, {args.settle} s after every "
              "site was running; CPU of all the daemon's threads from /proc schedstat, as a share of one core.",
              "",
              "| system | without memory limits | with a limit on every site | difference (the watch) | "
              "daemon RSS without / with | goal |",
              "|---|---|---|---|---|---|"]
    for name, label, limit_text, goal in (
            ("sitevisor", "sitevisor", "`memory: { warn: 400MB, restart: 512MB, for: 30s }`", "< 0.05 %"),
            ("pm2", "PM2", f"`max_memory_restart: {PM2_IDLE_LIMIT}`", "")):
        if name not in idle:
            continue
        without, with_ = idle[name]["without"], idle[name]["with"]
        difference = (f"{statistics.median(with_['cpu']) - statistics.median(without['cpu']):+.3f} %"
                      if without["cpu"] and with_["cpu"] else "—")
        lines.append(f"| {label} | {median_text(without['cpu'], '%')} | {median_text(with_['cpu'], '%')} "
                     f"({limit_text}) | {difference} | {median_text(without['rss'], 'MB')} / "
                     f"{median_text(with_['rss'], 'MB')} | {goal} |")
    lines += ["" if idle else None, "### From crossing a limit to the restart",
              "",
              f"{args.rounds} rounds over {args.latency_sites} sites, each round another; a site grows by "
              f"{args.grow_mb} MB past a restart limit of {LATENCY_LIMIT_MB} MB; times from the moment the grow request "
              f"returned; before round k the run waits {args.spread:g} s × frac(k × 0.618) (for memmon "
              f"{max(args.spread, MEMMON_TICK):g} s, its documented tick) so that the crossings fall at spread-out "
              "moments of a poller's cycle.",
              "",
              "| system | limit, and how it is read | restart begins (old pid gone) | new pid answers | "
              "time between successive restarts | measured or documented |",
              "|---|---|---|---|---|---|"]
    rows = (("sitevisor", "sitevisor", f"`memory: {{ restart: {LATENCY_LIMIT_MB}MB, for: 0s }}`; PSS of the instance's processes"),
            ("pm2", "PM2", f"`max_memory_restart: {LATENCY_LIMIT_MB}M`; RSS of the app's pid (pidusage), by its worker"),
            ("memmon", "supervisord + memmon", f"`memmon -p sN={LATENCY_LIMIT_MB}MB`, `events=TICK_60`; RSS from `ps`"))
    for name, label, how in rows:
        if name in latency:
            values = latency[name]
            spacing = ", ".join(f"{gap:.1f}" for gap in values["spacing"])
            spacing = f"{spacing} s" if spacing else "—"
            missed = f"; {len(values['missed'])} not restarted within {RESTART_DEADLINE} s" if values["missed"] else ""
            lines.append(f"| {label} | {how} | {seconds_text(values['begins'])} | {seconds_text(values['answers'])} | "
                         f"{spacing} | measured, {len(values['begins'])} round{'s' if len(values['begins']) != 1 else ''}{missed} |")
        elif name in notes:
            lines.append(f"| {label} | {how} | {notes[name]} | — | — | "
                         f"{'documented, not measured (below)' if name == 'memmon' else 'not measured (below)'} |")
    values = latency.get("sitevisor")
    if values and (values["log_memory"] or values["log_decision"]):
        lines += ["", "sitevisor's own log, from the grow request's return (wall clock; negative: the daemon read "
                  "the site while the request still ran): its `memory:` line "
                  f"{seconds_text(values['log_memory'])}, its `draining:`/`stopping:` line by [policy memory] "
                  f"{seconds_text(values['log_decision'])}."]
    leftover_notes = [f"- {text}" for key, text in notes.items() if key.startswith("note")]
    if leftover_notes:
        lines += [""] + leftover_notes
    return "\n".join(line for line in lines if line is not None) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a quick look, about 4 minutes: 100 sites, one window per configuration, 2 rounds")
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--idle-rounds", type=int, default=3, help="idle windows per configuration")
    parser.add_argument("--idle-seconds", type=int, default=30)
    parser.add_argument("--settle", type=int, default=40,
                        help="seconds between every site running and a window (sitevisor's idle CPU goes on "
                             "falling for about a minute after a start of 300 sites)")
    parser.add_argument("--rounds", type=int, default=5, help="crossings of a limit per system")
    parser.add_argument("--latency-sites", type=int, default=5)
    parser.add_argument("--spread", type=float, default=30, help="seconds over which the rounds' crossings are spread")
    parser.add_argument("--grow-mb", type=int, default=200)
    parser.add_argument("--systems", default="pm2,memmon,sitevisor")
    parser.add_argument("--pm2-without-limits", action="store_true",
                        help="also measure PM2's idle CPU without max_memory_restart (one more start)")
    parser.add_argument("--sitevisor", metavar="CHECKOUT", help="the checkout whose bin/sitevisor to run (default: this one)")
    parser.add_argument("--superlance", metavar="DIR",
                        help="superlance's sources (a folder holding superlance/memmon.py) instead of installing it")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--no-install", action="store_true", help="do not run bench/peers.sh nor try to get superlance")
    parser.add_argument("--write-results", metavar="FILE", help="also write the report, as Markdown, to FILE")
    args = parser.parse_args()
    if args.quick:
        args.sites, args.idle_rounds, args.settle, args.rounds = 100, 1, 10, 2
    names = args.systems.split(",")
    SitevisorRun.root = Path(args.sitevisor).resolve() if args.sitevisor else ROOT
    if "sitevisor" in names and not args.no_build:
        subprocess.run(["mvn", "-q", "-B", "-DskipTests", "package"], cwd=SitevisorRun.root, check=True, stdout=sys.stderr)
    notes = {}
    if not args.no_install and any(name in names for name in ("pm2", "memmon")):
        subprocess.run(["bash", str(ROOT / "bench" / "peers.sh")], check=False, stdout=sys.stderr)
    global superlance_sources
    if args.superlance:
        superlance_sources = Path(args.superlance).resolve()
    if "memmon" in names:
        why = None
        if not MemmonRun.installed():
            why = "supervisord is not installed (bench/peers.sh installs it)"
        elif superlance_lib() is None:
            why = "superlance is not installed" if args.no_install else install_superlance()
        if why:
            notes["memmon"] = f"0–{MEMMON_TICK} s, {MEMMON_TICK // 2} s on average"
            notes["note memmon"] = (
                f"memmon was not measured: {why}. Documented instead: superlance's documentation subscribes "
                f"memmon to `TICK_60` events (`events=TICK_60`; `TICK_5` is possible, `-c` only makes it sum a "
                f"process's children), and supervisord sends one when the clock's minute turns, so a crossing "
                f"waits 0–{MEMMON_TICK} s for memmon's next look, then memmon's `ps` and its "
                "stopProcess/startProcess over XML-RPC")
            log(f"memmon: left out: {why}")
            names.remove("memmon")
    if "pm2" in names and not Pm2Run.installed():
        log("pm2: not installed, left out (bench/peers.sh installs it)")
        notes["pm2"] = "not installed"
        names.remove("pm2")
    sites = [Site(index) for index in range(args.sites)]
    latency_sites = sites[:args.latency_sites]
    facts_names = [{"memmon": "supervisord"}.get(name, name) for name in names]
    machine = machine_facts(facts_names)
    with open("/proc/meminfo") as meminfo:
        machine["memory"] = f"{int(meminfo.readline().split()[1]) / 2**20:.0f} GB RAM"
    if "memmon" in names:
        code, version = run_quiet([PYTHON, "-c", "import importlib.metadata as m; print(m.version('superlance'))"],
                                  env=dict(os.environ, PYTHONPATH=str(superlance_lib())))
        machine["versions"] += f", superlance {version.strip()}" if code == 0 else f", superlance from {superlance_lib()}"
    idle, latency = {}, {}
    work = Path(tempfile.mkdtemp(prefix="sitevisor-memory-"))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))  # so the clean-up below runs
    started = time.monotonic()
    try:
        shutil.copy(ROOT / "bench" / "site.py", work / "site.py")
        # peers first, then sitevisor
        if "pm2" in names:
            log(f"== PM2: idle CPU at {args.sites} sites")
            idle["pm2"] = {"without": new_idle(), "with": new_idle()}
            if args.pm2_without_limits:
                measure_idle(Pm2Run, work, sites, [("without", None), ("with", PM2_IDLE_LIMIT)],
                             args.idle_rounds, args.idle_seconds, args.settle, idle["pm2"])
            else:
                measure_idle_one_start(Pm2Run, work, sites, "with", PM2_IDLE_LIMIT, args.idle_rounds,
                                       args.idle_seconds, args.settle, idle["pm2"])
            log("== PM2: from crossing a limit to the restart")
            latency["pm2"] = new_latency()
            measure_latency(Pm2Run, work, latency_sites, f"{LATENCY_LIMIT_MB}M", args.rounds, args.spread,
                            args.grow_mb, latency["pm2"])
        if "memmon" in names:
            log("== supervisord + memmon: from crossing a limit to the restart")
            latency["memmon"] = new_latency()
            measure_latency(MemmonRun, work, latency_sites, f"{LATENCY_LIMIT_MB}MB", args.rounds,
                            max(args.spread, MEMMON_TICK), args.grow_mb, latency["memmon"])
        if "sitevisor" in names:
            refused = SitevisorRun.refuses_limits(work)
            configurations = [("without", None)]
            if refused:
                log(f"sitevisor: this build refuses memory limits ({refused}): measured without limits only")
                notes["sitevisor"] = "—"
                notes["note sitevisor"] = (f"sitevisor at {SitevisorRun.root} refuses `memory:` in a site's config "
                                           f"({refused}): only its idle CPU without limits was measured")
            else:
                configurations.append(("with", IDLE_LIMITS))
            log(f"== sitevisor: idle CPU at {args.sites} sites, " + " and ".join(label for label, _ in configurations)
                + " limits, taking turns")
            idle["sitevisor"] = {"without": new_idle(), "with": new_idle()}
            measure_idle(SitevisorRun, work, sites, configurations, args.idle_rounds, args.idle_seconds,
                         args.settle, idle["sitevisor"])
            if not refused:
                log("== sitevisor: from crossing a limit to the restart")
                latency["sitevisor"] = new_latency()
                measure_latency(SitevisorRun, work, latency_sites, {"restart": f"{LATENCY_LIMIT_MB}MB", "for": "0s"},
                                args.rounds, args.spread, args.grow_mb, latency["sitevisor"])
        code, revision = run_quiet(["git", "-C", str(SitevisorRun.root), "rev-parse", "--short", "HEAD"])
        if "sitevisor" in names:
            machine["versions"] += f", sitevisor at {revision.strip() if code == 0 else SitevisorRun.root}"
        table = report(args, machine, idle, latency, notes)
        print(table)
        log(f"took {(time.monotonic() - started) / 60:.1f} minutes")
        if args.write_results:
            Path(args.write_results).write_text(
                f"# The memory watch: its cost at {args.sites} sites, and from a crossed limit to the restart\n\n"
                f"Written by `bench/memory.py {' '.join(sys.argv[1:])}`.\n\n{table}")
            Path(args.write_results).with_suffix(".json").write_text(json.dumps(
                {"machine": machine, "idle": idle, "latency": latency, "notes": notes}, indent=1))
    finally:
        stop_leftovers(work)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
