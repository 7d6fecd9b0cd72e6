#!/usr/bin/env python3
"""sitevisor against supervisord and PM2 on the same work, with a direct spawn as the floor.

Usage: bench/compare.py [--sizes 10,100,300] [--rounds 11] [--cycles 3] [--idle-rounds 3]
                        [--idle-seconds 30] [--systems direct,sitevisor,supervisord,pm2]
                        [--baseline CHECKOUT] [--no-build] [--no-install] [--write-results]

For each N it starts N small Python sites (bench/site.py: / answers its pid) under each system,
with equivalent configurations: restart on a crash, the site's stop signal then SIGKILL after
10 s, to its whole process group, output to a size-rotated log per site. Site s0 stops at once;
every other site takes 1 s to stop, as a site finishing its requests does.

Measures (each repeated; medians with min-max; ratios sitevisor / peer):
  all up        from launching the system (daemon included) until every site answers
  commands      from launching the system until it takes commands (its HTTP or API client
                answers); stop all is given only then
  status CLI    the operator's status command as a whole process
  status HTTP   one bulk read of every site's state: sitevisor's Jolokia read of Instances,
                supervisord's XML-RPC getAllProcessInfo (PM2 has no HTTP interface)
  crash         kill -9 of a site's process until its port answers from a new pid; in every
                cycle, once the system shows every site running and 3 s have passed
  restart       the restart command for s0 (a whole process) until it returned and a new pid answers
  restart 1 s   a restart of a site that takes 1 s to stop, asked by a client already connected
                (HTTP, XML-RPC, PM2's API), until a new pid answers; minus the direct floor, it is
                what the supervisor adds
  RSS           the daemon's resident memory, after the measures above
  idle CPU      the daemon's CPU over idle windows (all its threads, from /proc schedstat)
  stop all      the stop-everything command until it returned and no site process is left

With --baseline, sitevisor as another checkout builds it (an earlier commit, in a worktree) takes
its turns too, as the system "baseline": a change is judged against what it changed, in one run.

The systems take turns, one cycle each, so that the two sides of a ratio are measured minutes
apart at most on a machine whose speed drifts.

Everything runs in a fresh temporary folder; every process this run starts carries that folder in
its command line, and is stopped at the end, also on failure or Ctrl-C. Nothing else is touched.
Peers come from bench/peers.sh (it says how it installs them); a peer that is missing is skipped.
"""
import argparse
import base64
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / ".peers"
SUPERVISOR_LIB = PEERS / "supervisor" / "usr" / "lib" / "python3" / "dist-packages"
PM2_PACKAGE = PEERS / "pm2" / "node_modules" / "pm2"
# Debian's interpreter for the sites and supervisord alike: a pyenv shim would add its own start-up
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
SITE_PORT_BASE = 24000
JOLOKIA_PORT = 18790
SUPERVISOR_HTTP_PORT = 18791
QUICK, SLOW = "s0", "s1"  # s0 stops at once; s1 (as every other site) takes 1 s
STOP_SECONDS = 1
UP_DEADLINE = 600
CRASH_SETTLE_SECONDS = 3


def log(message):
    print(message, file=sys.stderr, flush=True)


class Site:
    def __init__(self, index):
        self.name = f"s{index}"
        self.port = SITE_PORT_BASE + index
        self.stop_seconds = 0 if index == 0 else STOP_SECONDS


def answer(port, timeout=1.0):
    """The pid a site answers with on /, or None when nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while chunk := connection.recv(4096):
                data += chunk
        return int(data.rsplit(b"\n", 2)[-2]) if data.startswith(b"HTTP/1.0 200") else None
    except (OSError, ValueError, IndexError):
        return None


def listening_ports():
    """The TCP ports something listens on, in one read: a try of hundreds of ports a sweep would
    take a core from the very start-up it measures."""
    ports = set()
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split(None, 4)
            if fields[3] == "0A":
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def wait_all_answer(sites, deadline):
    pending = list(sites)
    while pending:
        listening = listening_ports()
        pending = [site for site in pending if site.port not in listening or answer(site.port, timeout=5) is None]
        if pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(pending)} sites never answered, the first {pending[0].name}")
            time.sleep(0.005)


def wait_new_pid(port, old_pid, deadline):
    while True:
        pid = answer(port)
        if pid is not None and pid != old_pid:
            return pid
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} never answered from a new pid (old {old_pid})")
        time.sleep(0.001)


def post(port, path, body, headers):
    """One request on a connection of its own, as a command-line client makes it: (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def port_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def processes_mentioning(text):
    """Pids of the processes whose command line contains text (this run's folder)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if text.encode() in cmdline.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def thread_cpu_nanos(pid):
    """CPU time of each thread of pid in nanoseconds, from schedstat (not 10 ms ticks)."""
    times = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as schedstat:
                times[task] = int(schedstat.read().split()[0])
        except OSError:
            pass  # a thread that ended between the listing and the read
    return times


def idle_cpu_percent(pid, seconds):
    """The share of one core pid used over the next seconds: per thread, so that a thread ending
    in between (an idle pool thread, idle anyway) takes nothing off the sum."""
    before = thread_cpu_nanos(pid)
    time.sleep(seconds)
    after = thread_cpu_nanos(pid)
    used = sum(total - before.get(task, 0) for task, total in after.items())
    return 100 * used / 1e9 / seconds


def run_quiet(argv, env=None, timeout=600):
    completed = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
    return completed.returncode, completed.stdout.decode(errors="replace")


def timed(argv, env=None):
    started = time.perf_counter()
    code, output = run_quiet(argv, env)
    elapsed = (time.perf_counter() - started) * 1000
    if code != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {code}: {output[-500:]}")
    return elapsed


class System:
    """One way of running the sites. start() launches and returns at once; the rest block."""
    name = ""
    label = ""
    env = None  # the environment of the system's own commands; None: this one's

    def __init__(self, work, sites):
        self.work = work
        self.sites = sites
        self.folder = work / self.name
        self.folder.mkdir(exist_ok=True)
        (self.folder / "logs").mkdir(exist_ok=True)

    @staticmethod
    def installed():
        return True

    def site_argv(self, site):
        return [PYTHON, str(self.work / "site.py"), str(site.port), str(site.stop_seconds)]

    def start(self): raise NotImplementedError
    def daemon_pid(self): return None
    def status_argv(self): return None
    def running_in_status(self, output): return 0
    def bulk_read(self): return None
    def restart_argv(self, site): return None

    def wait_ready(self, deadline):
        """Returns once the system takes commands: its bulk read answers. False for a system without one."""
        read = self.bulk_read()
        if read is None:
            return False
        while True:
            try:
                read()
                return True
            except (OSError, RuntimeError, ValueError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def restart_connected(self, site): raise NotImplementedError
    def stop_all(self): raise NotImplementedError
    def shutdown(self): pass

    def stop_foreground_daemon(self, timeout):
        """SIGTERM to a daemon this run launched in the foreground, then its exit."""
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            self.daemon.wait(timeout=timeout)

    def crash(self, site, deadline):
        """kill -9 of the site's process; the ms until its port answers from a new pid."""
        old_pid = answer(site.port)
        started = time.perf_counter()
        os.kill(old_pid, signal.SIGKILL)
        wait_new_pid(site.port, old_pid, deadline)
        return (time.perf_counter() - started) * 1000


class Direct(System):
    name, label = "direct", "direct spawn"

    def spawn(self, site):
        with open(self.folder / "logs" / f"{site.name}.log", "ab") as output:
            return subprocess.Popen(self.site_argv(site), cwd=self.work, stdin=subprocess.DEVNULL,
                                    stdout=output, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self):
        self.processes = {site.name: self.spawn(site) for site in self.sites}

    def crash(self, site, deadline):
        # the floor: kill, reap and spawn again with nothing in between
        victim = self.processes[site.name]
        started = time.perf_counter()
        victim.kill()
        victim.wait()
        self.processes[site.name] = self.spawn(site)
        wait_new_pid(site.port, victim.pid, deadline)
        return (time.perf_counter() - started) * 1000

    def restart_connected(self, site):
        old = self.processes[site.name]
        old.terminate()
        old.wait()
        self.processes[site.name] = self.spawn(site)

    def stop_all(self):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.wait()


class Sitevisor(System):
    name, label = "sitevisor", "sitevisor"
    root = ROOT

    def __init__(self, work, sites):
        super().__init__(work, sites)
        self.config = self.folder / "sitevisor.yml"
        lines = ["home: home", f"jolokia: {{ port: {JOLOKIA_PORT} }}", "sites:"]
        for site in sites:
            argv = ", ".join(json.dumps(word) for word in self.site_argv(site))
            lines += [f"  {site.name}:", f"    command: [{argv}]", f"    directory: {self.work}",
                      f"    port: {site.port}", "    restart: always", "    stopTimeout: 10s",
                      "    logs: { maxSize: 10MB, backups: 3 }"]
        self.config.write_text("\n".join(lines) + "\n")
        self.daemon = None

    def cli(self, *words):
        return [str(self.root / "bin" / "sitevisor"), *words, "-c", str(self.config)]

    def start(self):
        with open(self.folder / "daemon.out", "ab") as output:
            self.daemon = subprocess.Popen(self.cli("run"), stdin=subprocess.DEVNULL, stdout=output,
                                           stderr=subprocess.STDOUT)

    def daemon_pid(self):
        return self.daemon.pid

    def status_argv(self):
        return self.cli("status")

    def running_in_status(self, output):
        return sum(1 for line in output.splitlines() if " RUNNING " in f" {line} ")

    def jolokia(self, body):
        credentials = (self.folder / "home" / "credentials").read_text().strip()
        status, data = post(JOLOKIA_PORT, "/jolokia/", json.dumps(body), {
            "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
            "Content-Type": "application/json"})
        reply = json.loads(data)
        if status != 200 or reply.get("status") != 200:
            raise RuntimeError(f"Jolokia {body}: {data[:300]!r}")
        return reply

    def bulk_read(self):
        return lambda: self.jolokia({"type": "read", "mbean": "sitevisor:type=Supervisor", "attribute": "Instances"})

    def restart_argv(self, site):
        return self.cli("restart", site.name)

    def restart_connected(self, site):
        self.jolokia({"type": "exec", "mbean": f"sitevisor:type=Site,name={site.name}", "operation": "restart"})

    def stop_all(self):
        timed(self.cli("stop", "all"))

    def shutdown(self):
        self.stop_foreground_daemon(120)


class Supervisord(System):
    name, label = "supervisord", "supervisord"

    @staticmethod
    def installed():
        return (PEERS / "supervisor" / "usr" / "bin" / "supervisord").exists() and PYTHON == "/usr/bin/python3"

    @staticmethod
    def version():
        code, output = run_quiet([PYTHON, "-c", "import supervisor.options as o; print(o.VERSION)"],
                                 env=dict(os.environ, PYTHONPATH=str(SUPERVISOR_LIB)))
        return output.strip() if code == 0 else "?"

    def __init__(self, work, sites):
        super().__init__(work, sites)
        self.config = self.folder / "supervisord.conf"
        self.env = dict(os.environ, PYTHONPATH=str(SUPERVISOR_LIB))
        sections = [
            f"[unix_http_server]\nfile={self.folder}/supervisor.sock\nchmod=0700\n",
            f"[inet_http_server]\nport=127.0.0.1:{SUPERVISOR_HTTP_PORT}\nusername=bench\npassword=bench\n",
            f"[supervisord]\nlogfile={self.folder}/supervisord.log\npidfile={self.folder}/supervisord.pid\n"
            f"childlogdir={self.folder}/logs\nnodaemon=true\nminfds=4096\n",
            "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
            f"[supervisorctl]\nserverurl=unix://{self.folder}/supervisor.sock\n",
        ]
        for site in sites:
            sections.append(
                f"[program:{site.name}]\ncommand={' '.join(self.site_argv(site))}\ndirectory={self.work}\n"
                "autostart=true\nautorestart=true\nstopsignal=TERM\nstopwaitsecs=10\nstopasgroup=true\n"
                f"killasgroup=true\nredirect_stderr=true\nstdout_logfile={self.folder}/logs/{site.name}.log\n"
                "stdout_logfile_maxbytes=10MB\nstdout_logfile_backups=3\n")
        self.config.write_text("\n".join(sections))
        self.daemon = None
        self.rpc = xmlrpc.client.ServerProxy(f"http://bench:bench@127.0.0.1:{SUPERVISOR_HTTP_PORT}/RPC2")

    def ctl(self, *words):
        return [PYTHON, str(PEERS / "supervisor" / "usr" / "bin" / "supervisorctl"), "-c", str(self.config), *words]

    def start(self):
        with open(self.folder / "daemon.out", "ab") as output:
            self.daemon = subprocess.Popen(
                [PYTHON, str(PEERS / "supervisor" / "usr" / "bin" / "supervisord"), "-c", str(self.config)],
                env=self.env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)

    def daemon_pid(self):
        return self.daemon.pid

    def status_argv(self):
        return self.ctl("status")

    def running_in_status(self, output):
        return sum(1 for line in output.splitlines() if " RUNNING " in line)

    def bulk_read(self):
        body = xmlrpc.client.dumps((), "supervisor.getAllProcessInfo").encode()
        authorization = "Basic " + base64.b64encode(b"bench:bench").decode()

        def read():
            status, data = post(SUPERVISOR_HTTP_PORT, "/RPC2", body, {"Authorization": authorization, "Content-Type": "text/xml"})
            if status != 200 or b"<fault>" in data:
                raise RuntimeError(f"XML-RPC getAllProcessInfo: {data[:300]!r}")
        return read

    def restart_argv(self, site):
        return self.ctl("restart", site.name)

    def restart_connected(self, site):
        # as supervisorctl restart, but not waiting out startsecs: the port tells when it is up
        self.rpc.supervisor.stopProcess(site.name, True)
        self.rpc.supervisor.startProcess(site.name, False)

    def stop_all(self):
        timed(self.ctl("stop", "all"), env=self.env)

    def shutdown(self):
        self.stop_foreground_daemon(900)  # supervisord waits out each site's stop


class Pm2(System):
    name, label = "pm2", "PM2"

    @staticmethod
    def installed():
        return (PM2_PACKAGE / "package.json").exists() and shutil.which("node") is not None

    @staticmethod
    def version():
        return json.loads((PM2_PACKAGE / "package.json").read_text())["version"]

    def __init__(self, work, sites):
        super().__init__(work, sites)
        self.home = self.folder / "pm2-home"
        self.env = dict(os.environ, PM2_HOME=str(self.home))
        apps = [{
            "name": site.name, "script": str(self.work / "site.py"), "interpreter": PYTHON,
            "args": [str(site.port), str(site.stop_seconds)], "cwd": str(self.work),
            "autorestart": True, "restart_delay": 0, "kill_timeout": 10000, "treekill": True,
            "out_file": str(self.folder / "logs" / f"{site.name}.log"),
            "error_file": str(self.folder / "logs" / f"{site.name}.log"),
        } for site in sites]
        self.config = self.folder / "ecosystem.json"
        self.config.write_text(json.dumps({"apps": apps}, indent=1))
        self.launcher = None
        self.client = None

    def cli(self, *words):
        return ["node", str(PM2_PACKAGE / "bin" / "pm2"), *words]

    def start(self):
        self.launcher = subprocess.Popen(self.cli("start", str(self.config)), env=self.env,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)

    def daemon_pid(self):
        return int((self.home / "pm2.pid").read_text())

    def status_argv(self):
        return self.cli("status")

    def running_in_status(self, output):
        return sum(1 for line in output.splitlines() if "online" in line)

    def restart_argv(self, site):
        return self.cli("restart", site.name)

    def restart_connected(self, site):
        if self.client is None:
            self.client = subprocess.Popen(["node", str(ROOT / "bench" / "pm2-api.js"), str(PM2_PACKAGE)],
                                           env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=subprocess.DEVNULL, text=True, bufsize=1)
            self.reply()
        self.client.stdin.write(f"restart {site.name}\n")
        self.reply()

    def reply(self):
        while True:  # PM2's API prints notices of its own on stdout
            line = self.client.stdout.readline()
            if not line:
                raise RuntimeError("the PM2 API client ended")
            if line.strip() in ("ok", "connected"):
                return
            if line.startswith("error"):
                raise RuntimeError(f"PM2 API: {line.strip()}")

    def stop_all(self):
        timed(self.cli("stop", "all"), env=self.env)

    def shutdown(self):
        if self.launcher and self.launcher.poll() is None:
            self.launcher.wait(timeout=600)
        if self.client:
            self.client.stdin.close()
            self.client.wait(timeout=30)
            self.client = None
        if (self.home / "pm2.pid").exists():
            run_quiet(self.cli("kill"), env=self.env, timeout=600)

    def wait_ready(self, deadline):
        # `pm2 start` returns once every app is launched; commands given before it are not stable
        self.launcher.wait(timeout=max(1, deadline - time.monotonic()))
        return True


def number(value, digits):
    """With thousands separators; a value that rounds to zero has no sign (an overhead of -0.3 ms is 0)."""
    text = f"{value:,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def median_text(values, unit):
    if not values:
        return "—"
    digits = 2 if unit == "%" else 0 if unit == "ms" else 1
    low, middle, high = min(values), statistics.median(values), max(values)
    if len(values) == 1:
        return f"{number(middle, digits)} {unit}"
    return f"{number(middle, digits)} {unit} ({number(low, digits)}–{number(high, digits)})"


def new_results():
    return {key: [] for key in ("up", "ready", "status_cli", "status_http", "crash", "restart", "restart_slow",
                                "rss", "idle_cpu", "stop_all")}


def measure_cycle(system, cycle, rounds, idle_rounds, idle_seconds, results):
    """One start and stop all of every site; the first cycle also measures the running system.
    Returns False when the system's stop all is too slow for more cycles."""
    sites = system.sites
    by_name = {site.name: site for site in sites}
    deadline = time.monotonic() + 60
    while not all(port_free(site.port) for site in sites):
        if time.monotonic() > deadline:
            raise RuntimeError("a site's port is held by something this run did not start")
        time.sleep(0.05)
    started = time.perf_counter()
    system.start()
    wait_all_answer(sites, time.monotonic() + UP_DEADLINE)
    results["up"].append((time.perf_counter() - started) * 1000)
    log(f"  {system.name}: all {len(sites)} up in {results['up'][-1]:,.0f} ms")
    # every stop all is given to a system that takes commands, as an operator sees it: sitevisor
    # opens its doors beside the sites' start, so at 300 sites they may open after the last site answers
    if system.wait_ready(time.monotonic() + UP_DEADLINE):
        results["ready"].append((time.perf_counter() - started) * 1000)
    wait_all_running(system, len(sites))
    measure_crashes(system, by_name, rounds, results)
    if cycle == 0:
        measure_running(system, by_name, rounds, idle_rounds, idle_seconds, results)
    started = time.perf_counter()
    system.stop_all()
    deadline = time.monotonic() + 900
    while processes_mentioning(str(system.work / "site.py")):
        if time.monotonic() > deadline:
            raise RuntimeError("sites still running 15 minutes after stop all")
        time.sleep(0.01)
    results["stop_all"].append((time.perf_counter() - started) * 1000)
    log(f"  {system.name}: stop all in {results['stop_all'][-1]:,.0f} ms")
    if results["stop_all"][-1] > 30_000:
        log(f"  {system.name}: stop all took over 30 s; measured in fewer cycles")
        return False
    return True


def wait_all_running(system, count):
    """Returns once the system's status shows every site running: answering is not yet running for
    every system (supervisord waits out startsecs; sitevisor's readiness probe may not have looked
    again yet), and a crash before that is a failed start, which each system handles its own way."""
    argv = system.status_argv()
    if not argv:
        return
    deadline = time.monotonic() + 120
    while True:
        code, output = run_quiet(argv, env=system.env)
        running = system.running_in_status(output)
        if code == 0 and running == count:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{system.name} status shows {running} of {count} running (exit {code}): "
                               f"{output[-500:]}")
        time.sleep(0.2)


def measure_crashes(system, by_name, rounds, results):
    """In every cycle, so that a ratio's two sides come from the same minutes and a handful of
    slow samples in one cycle cannot carry the median. Each crash hits another site: sitevisor
    backs off a second crash of a site within a minute. The settle lets each system finish what
    it does after a start (sitevisor's last readiness probes, PM2's and supervisord's bookkeeping)."""
    time.sleep(CRASH_SETTLE_SECONDS)
    victims = [site for site in by_name.values() if site.name not in (QUICK, SLOW)][:rounds]
    for site in victims:
        results["crash"].append(system.crash(site, time.monotonic() + 60))
    log(f"  {system.name}: crash recovery {median_text(results['crash'], 'ms')}")


def measure_running(system, by_name, rounds, idle_rounds, idle_seconds, results):
    argv = system.status_argv()
    if argv:
        results["status_cli"] = [timed(argv, env=system.env) for _ in range(rounds)]
    read = system.bulk_read()
    if read:
        read()
        for _ in range(rounds):
            started = time.perf_counter()
            read()
            results["status_http"].append((time.perf_counter() - started) * 1000)
    quick, slow = by_name[QUICK], by_name[SLOW]
    argv = system.restart_argv(quick)
    for _ in range(rounds):
        old_pid = answer(quick.port)
        started = time.perf_counter()
        if argv:
            timed(argv, env=system.env)
        else:
            system.restart_connected(quick)
        wait_new_pid(quick.port, old_pid, time.monotonic() + 60)
        results["restart"].append((time.perf_counter() - started) * 1000)
    for _ in range(rounds):
        old_pid = answer(slow.port)
        started = time.perf_counter()
        system.restart_connected(slow)
        wait_new_pid(slow.port, old_pid, time.monotonic() + 60)
        results["restart_slow"].append((time.perf_counter() - started) * 1000)
    log(f"  {system.name}: restart {median_text(results['restart'], 'ms')}, "
        f"restart of a 1 s stop {median_text(results['restart_slow'], 'ms')}")
    pid = system.daemon_pid()
    if pid:
        time.sleep(10)  # past the measures' own after-effects (threads ending, a collection)
        for _ in range(idle_rounds):
            results["idle_cpu"].append(idle_cpu_percent(pid, idle_seconds))
        results["rss"].append(rss_mb(pid))
        log(f"  {system.name}: RSS {results['rss'][-1]:.1f} MB, idle CPU {median_text(results['idle_cpu'], '%')}")


MEASURES = [  # key, label, unit, goal for sitevisor (text), goal check
    ("up", "all up", "ms", "≤ 1.2 × direct"),
    ("ready", "commands taken, from launch", "ms", ""),
    ("status_cli", "status, whole CLI", "ms", "< 150 ms at 300"),
    ("status_http", "status, one HTTP bulk read", "ms", ""),
    ("crash", "crash recovery (kill -9 → new pid answers)", "ms", "≤ 1.15 × direct"),
    ("restart", "restart of one site, whole CLI", "ms", ""),
    ("restart_slow", "restart of a site taking 1 s to stop, connected client", "ms", ""),
    ("overhead", "… of which the supervisor's overhead", "ms", "< 50 ms"),
    ("rss", "daemon RSS", "MB", "< 64 MB"),
    ("idle_cpu", "daemon idle CPU", "%", "< 0.05 %"),
    ("stop_all", "stop all (1 s each)", "ms", "≤ 1.5 s at 300"),
]


def with_overhead(results):
    """Adds the restart overhead: each system's 1 s restarts minus the direct floor's median."""
    for size, systems in results.items():
        floor = systems.get("direct", {}).get("restart_slow")
        for name, measures in systems.items():
            if name != "direct" and floor and measures.get("restart_slow"):
                measures["overhead"] = [value - statistics.median(floor) for value in measures["restart_slow"]]


class Baseline(Sitevisor):
    """sitevisor as another checkout builds it: --baseline sets the root and the label."""
    name, label = "baseline", "baseline"
    root = None

    @classmethod
    def installed(cls):
        return cls.root is not None and (cls.root / "bin" / "sitevisor").exists()


def ratio_text(mine, theirs):
    if not mine or not theirs or statistics.median(theirs) <= 0:
        return "—"
    return number(statistics.median(mine) / statistics.median(theirs), 2)


def report(results, machine, names):
    peers = [name for name in names if name not in ("direct", "sitevisor")]
    labels = {"direct": "direct", "sitevisor": "sitevisor", "supervisord": "supervisord", "pm2": "PM2", "baseline": Baseline.label}
    lines = [f"Measured {machine['date']} on {machine['cpu']} ({machine['cores']} cores), {machine['kernel']}; "
             f"{machine['versions']}. Medians with min–max; ratios are sitevisor ÷ the other, < 1 is better."
             + (f" {machine['note']}." if machine.get("note") else ""), ""]
    for size in sorted(results):
        systems = results[size]
        header = ["measure"] + [labels[name] for name in names] + [f"÷ {labels[p]}" for p in peers + ["direct"]
                                                                    if p in systems] + ["goal"]
        lines += [f"### {size} sites", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for key, label, unit, goal in MEASURES:
            row = [label] + [median_text(systems.get(name, {}).get(key, []), unit) for name in names]
            mine = systems.get("sitevisor", {}).get(key, [])
            row += [ratio_text(mine, systems[p].get(key, [])) for p in peers + ["direct"] if p in systems]
            lines.append("| " + " | ".join(row + [goal]) + " |")
        lines.append("")
    sizes = sorted(results)
    if len(sizes) > 1:
        lines += [f"### Growth from {sizes[0]} to {sizes[-1]} sites (medians; the factor is the last ÷ the first)", "",
                  "| measure | system | " + " | ".join(f"{size}" for size in sizes) + " | factor |",
                  "|" + "---|" * (len(sizes) + 3)]
        for key, label, unit, _ in MEASURES:
            for name in names:
                values = [results[size].get(name, {}).get(key, []) for size in sizes]
                if not all(values):
                    continue
                medians = [statistics.median(value) for value in values]
                digits = 2 if unit == "%" else 0 if unit == "ms" else 1
                factor = number(medians[-1] / medians[0], 2) if medians[0] > 0 else "—"
                lines.append(f"| {label} | {labels[name]} | "
                             + " | ".join(f"{number(m, digits)} {unit}" for m in medians) + f" | {factor} |")
        lines.append("")
    return "\n".join(lines)


def machine_facts(names):
    cpu = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    _, java = run_quiet(["java", "-version"])
    java_version = re.search(r'version "([^"]+)"', java)
    versions = [f"Java {java_version.group(1) if java_version else '?'}",
                f"Python {run_quiet([PYTHON, '--version'])[1].split()[-1]}"]
    if "supervisord" in names:
        versions.append(f"supervisord {Supervisord.version()}")
    if "pm2" in names:
        versions.append(f"PM2 {Pm2.version()} on Node {run_quiet(['node', '--version'])[1].strip()}")
    return {"date": datetime.date.today().isoformat(), "cpu": cpu, "cores": os.cpu_count(),
            "kernel": f"Linux {platform.release()}", "versions": ", ".join(versions)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,300")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--cycles", type=int, default=3, help="starts and stops of everything, per system")
    parser.add_argument("--idle-rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=int, default=30)
    parser.add_argument("--systems", default="direct,sitevisor,supervisord,pm2")
    parser.add_argument("--baseline", metavar="CHECKOUT",
                        help="also measure sitevisor as built from this checkout (an earlier commit), as the system 'baseline'")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--no-install", action="store_true", help="do not run bench/peers.sh")
    parser.add_argument("--write-results", action="store_true", help="also write bench/results/latest.{md,json}")
    parser.add_argument("--others-from", metavar="JSON",
                        help="take the systems this run does not measure from an earlier run's results "
                             "(bench/results/latest.json): to judge a change of sitevisor's against peers "
                             "measured before; the table says which figures are whose")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    names = args.systems.split(",")
    if args.baseline:
        Baseline.root = Path(args.baseline).resolve()
        revision = run_quiet(["git", "-C", str(Baseline.root), "rev-parse", "--short", "HEAD"])[1].strip()
        Baseline.label = f"sitevisor at {revision or Baseline.root.name}"
        if "baseline" not in names:
            names.insert(names.index("sitevisor") + 1 if "sitevisor" in names else len(names), "baseline")
    for name, root in (("sitevisor", ROOT), ("baseline", Baseline.root)):
        if not args.no_build and name in names and root is not None:
            subprocess.run(["mvn", "-q", "-B", "-DskipTests", "package"], cwd=root, check=True, stdout=sys.stderr)
    if not args.no_install and any(name in names for name in ("supervisord", "pm2")):
        subprocess.run(["bash", str(ROOT / "bench" / "peers.sh")], check=False, stdout=sys.stderr)
    kinds = {"direct": Direct, "sitevisor": Sitevisor, "supervisord": Supervisord, "pm2": Pm2, "baseline": Baseline}
    for name in list(names):
        if not kinds[name].installed():
            log(f"{name}: not installed, left out (bench/peers.sh installs it)")
            names.remove(name)
    machine = machine_facts(names)
    results = {}
    work = Path(tempfile.mkdtemp(prefix="sitevisor-compare-"))
    failures = []
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))  # so the clean-up below runs
    try:
        shutil.copy(ROOT / "bench" / "site.py", work / "site.py")
        for kind in (Sitevisor, Baseline):
            if kind.name in names:
                write_sitevisor_archives(work, kind)
        for size in sizes:
            sites = [Site(index) for index in range(size)]
            results[size] = {name: new_results() for name in names}
            systems = {name: kinds[name](work, sites) for name in names}
            # the systems take turns, a cycle each: on a shared machine the speed drifts within
            # minutes, and each ratio should compare figures taken close together in time
            going = list(names)
            for cycle in range(args.cycles):
                for name in list(going):
                    log(f"== {size} sites under {name}, cycle {cycle + 1} of {args.cycles}")
                    system = systems[name]
                    try:
                        if not measure_cycle(system, cycle, args.rounds, args.idle_rounds, args.idle_seconds, results[size][name]):
                            going.remove(name)
                    except Exception as failure:  # one system's failure leaves the others' figures standing
                        log(f"  {name}: FAILED: {failure}")
                        failures.append(f"{size} sites under {name}: {failure}")
                        results[size][name] = {}
                        going.remove(name)
                    finally:
                        try:
                            system.shutdown()
                        finally:
                            stop_leftovers(work)
                # each system's files stay until the run ends: on ext4 without a journal, a file
                # created within a minute or so of thousands deleted nearby costs about 0.7 ms of
                # CPU (the kernel skips the inodes it freed recently), and a cleanup between two
                # systems would have charged that to the next one's start
        if args.others_from:
            names = take_others(results, machine, names, json.loads(Path(args.others_from).read_text()))
        with_overhead(results)
        table = report(results, machine, names)
        if failures:
            table += "\nFailed, so left out of the table above:\n" + "".join(f"- {f}\n" for f in failures)
        print(table)
        if args.write_results:
            out = ROOT / "bench" / "results"
            out.mkdir(exist_ok=True)
            (out / "latest.md").write_text(f"# sitevisor, supervisord and PM2 on the same work\n\n"
                                           f"Written by `bench/compare.py {' '.join(sys.argv[1:])}`.\n\n{table}")
            (out / "latest.json").write_text(json.dumps({"machine": machine, "results": results}, indent=1))
    finally:
        stop_leftovers(work)
        shutil.rmtree(work, ignore_errors=True)


def write_sitevisor_archives(work, kind):
    """The first `bin/sitevisor run` after a build writes the daemon's class archive (about 2 s),
    the first client command the client's: once per build, not per start. One throwaway daemon with
    one site, in a folder of its own, does both before anything is measured."""
    folder = work / f"archives-{kind.name}"
    folder.mkdir()
    shutil.copy(ROOT / "bench" / "site.py", folder / "site.py")
    site = Site(0)
    system = kind(folder, [site])
    try:
        system.start()
        wait_all_answer([site], time.monotonic() + 120)
        system.wait_ready(time.monotonic() + 120)
        timed(system.status_argv())
    finally:
        try:
            system.shutdown()
        finally:
            stop_leftovers(work)


def take_others(results, machine, names, earlier):
    """Adds an earlier run's figures of the systems this run did not measure; returns every system's name."""
    taken = set()
    for size_text, systems in earlier["results"].items():
        for name, measures in systems.items():
            if int(size_text) in results and name not in results[int(size_text)]:
                results[int(size_text)][name] = {key: value for key, value in measures.items() if key != "overhead"}
                taken.add(name)
    if taken:
        machine["note"] = (f"{', '.join(sorted(taken))}: from the run of {earlier['machine']['date']} "
                           f"({earlier['machine']['versions']}); the rest measured now")
    return [name for name in ("direct", "sitevisor", "baseline", "supervisord", "pm2") if name in names or name in taken]


def stop_leftovers(work):
    """SIGKILL to whatever this run started and is still there: only processes naming its folder."""
    leftovers = processes_mentioning(str(work))
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if leftovers:
        log(f"stopped {len(leftovers)} processes this run had left behind: {leftovers}")


if __name__ == "__main__":
    main()
