#!/usr/bin/env python3
"""The benchmark suite, run by scripts/bench/run (see BENCHMARKS.md).

It loads national-scale data with `antes bench-data`, times `antes import osm` on the same
places as an Overpass file, serves the data with the release build, loads each endpoint with
wrk at 1 and 32 connections, runs the best raw SQL for each with pgbench -M prepared on the
same data, and writes every figure to target/bench/results.{json,md}.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# Wednesday 2 December 2026, 11:00 in Argentina: minute 3540 of the week, as in the SQL.
AT = "2026-12-02T11:00:00-03:00"
RADIUS = 1500


def say(msg):
    print(f"\033[1m==> {msg}\033[0m", file=sys.stderr, flush=True)


def run(cmd, env=None, capture=True, check=True):
    full_env = dict(os.environ, **(env or {}))
    out = subprocess.run(cmd, env=full_env, capture_output=capture, text=True)
    if check and out.returncode != 0:
        sys.exit(f"error: {' '.join(map(str, cmd))} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout if capture else ""


def timed_child(cmd, env):
    """Runs a command; returns (seconds, its own peak RSS in MB, stdout)."""
    import tempfile
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=dict(os.environ, **env), stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed:\n{stdout}\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024, stdout


class Db:
    def __init__(self, base_url, psql):
        self.base = base_url.rsplit("/", 1)[0]
        self.psql = psql

    def url(self, name):
        return f"{self.base}/{name}"

    def sql(self, name, sql):
        return run([self.psql, self.url(name), "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql])

    def fresh(self, name):
        self.sql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.sql("postgres", f"CREATE DATABASE {name}")


def pgbench_percentiles(prefix_dir, prefix):
    lat = []
    for f in os.listdir(prefix_dir):
        if f.startswith(prefix + "."):
            with open(os.path.join(prefix_dir, f)) as fh:
                for line in fh:
                    parts = line.split()
                    if len(parts) >= 3:
                        lat.append(int(parts[2]))
            os.remove(os.path.join(prefix_dir, f))
    lat.sort()
    if not lat:
        return None, None
    pick = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] / 1000.0
    return pick(0.5), pick(0.99)


def pgbench(args, db, dbname, script, conns, duration, variables, out_dir, tag):
    prefix = f"pgbench_{tag}_{conns}"
    cmd = [args.pgbench, "-n", "-M", "prepared", "-c", str(conns), "-j", str(min(conns, 2)),
           "-T", str(duration), "-f", script, "--log", f"--log-prefix={prefix}"]
    for k, v in variables.items():
        cmd += ["-D", f"{k}={v}"]
    cmd.append(db.url(dbname))
    out = subprocess.run(cmd, cwd=out_dir, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"error: pgbench {script} failed:\n{out.stdout}\n{out.stderr}")
    tps = float(re.search(r"tps = ([0-9.]+)", out.stdout).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    p50, p99 = pgbench_percentiles(out_dir, prefix)
    return {"p50_ms": p50, "p99_ms": p99, "tps": tps,
            "failed": int(failed.group(1)) if failed else 0}


def wrk(args, base, urls, conns, duration, strict=True):
    """One load run. Errors fail the suite, except for an old build (`strict` off), whose
    failures under load are a result to report."""
    cmd = [args.wrk, "-t", str(min(conns, 2)), "-c", str(conns), "-d", f"{duration}s",
           "--timeout", "10s", "-s", os.path.join(HERE, "urls.lua"), base, "--", urls]
    out = run(cmd)
    summary = json.loads(out.strip().splitlines()[-1])
    if strict and (summary["non_2xx"] or summary["socket_errors"]):
        sys.exit(f"error: wrk {urls} at {conns} connections: {summary}")
    return summary


class Server:
    def __init__(self, binary, url, port, log):
        self.port = port
        env = dict(os.environ, DATABASE_URL=url, ROCKET_PORT=str(port),
                   ROCKET_MAINTENANCE_INTERVAL_SECS="0", ROCKET_LOG_LEVEL="off",
                   RUST_LOG="error", ROCKET_WEB_DIR=os.path.join(ROOT, "web"))
        self.proc = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log,
                                     cwd=ROOT)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        sys.exit(f"error: {binary} did not start; see its log")

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def criterion_medians(out):
    """Each benchmark's name and the middle of criterion's `time: [low mid high]`."""
    medians, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^(\S.*?)\s+time:\s+\[(.*)\]", line) or re.match(r"^\s+time:\s+\[(.*)\]", line)
        if m and len(m.groups()) == 2:
            name, times = m.group(1).strip(), m.group(2)
        elif m:
            times = m.group(1)
        else:
            if line and not line.startswith(" ") and "time:" not in line:
                name = line.strip()
            continue
        parts = times.split()
        medians[name] = f"{parts[2]} {parts[3]}"
    return medians


def write_url_files(db, name, out_dir):
    """One file of request paths per endpoint, with session tokens where one is needed."""
    db.sql(name, """
        INSERT INTO sessions (token_hash, account_id, expires_at)
        SELECT encode(sha256(convert_to('bench-' || account_id, 'UTF8')), 'hex'), account_id,
               now() + interval '1 day'
        FROM bench_tasks ON CONFLICT DO NOTHING;
        INSERT INTO accounts (email, password_hash, display_name, role, verified)
        VALUES ('bench-coordinator@example.invalid', '!', 'Coordinación', 'coordinator', true)
        ON CONFLICT DO NOTHING;
        INSERT INTO sessions (token_hash, account_id, expires_at)
        SELECT encode(sha256(convert_to('bench-coordinator', 'UTF8')), 'hex'), id,
               now() + interval '1 day'
        FROM accounts WHERE email = 'bench-coordinator@example.invalid'
        ON CONFLICT DO NOTHING;""")
    box = "format('%s,%s,%s,%s', lon - 0.025, lat - 0.02, lon + 0.025, lat + 0.02)"
    queries = {
        "nearby": f"SELECT format('/api/places/nearby?lat=%s&lon=%s&radius_m={RADIUS}&limit=20', lat, lon) FROM bench_points ORDER BY id",
        "nearby_category": f"SELECT format('/api/places/nearby?lat=%s&lon=%s&radius_m={RADIUS}&limit=20&category=%s', lat, lon, category) FROM bench_points ORDER BY id",
        "nearby_open": f"SELECT format('/api/places/nearby?lat=%s&lon=%s&radius_m={RADIUS}&limit=20&open_now=true&at=%s', lat, lon, '{AT.replace('+', '%2B')}') FROM bench_points ORDER BY id",
        "bbox": f"SELECT '/api/places?bbox=' || {box} FROM bench_points ORDER BY id",
        "cells": f"SELECT '/api/requests/cells?bbox=' || {box} FROM bench_points ORDER BY id",
        "tasks": "SELECT '/api/me/tasks' || chr(9) || 'bench-' || account_id FROM bench_tasks ORDER BY id",
        "matches": "SELECT '/api/requests/' || request_id || '/matches' || chr(9) || 'bench-coordinator' FROM bench_matches ORDER BY id",
    }
    files = {}
    for endpoint, q in queries.items():
        path = os.path.join(out_dir, f"urls_{endpoint}.txt")
        with open(path, "w") as fh:
            fh.write(db.sql(name, q))
        files[endpoint] = path
    return files


RAW = {
    "nearby": "nearby.sql",
    "nearby_category": "nearby_category.sql",
    "nearby_open": "nearby_open.sql",
    "bbox": "bbox.sql",
    "cells": "cells.sql",
    "tasks": "tasks.sql",
    "matches": "matches.sql",
}
STRATEGIES = ["knn_geography", "knn_geometry_rerank", "dwithin_sort", "h3_ranges"]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--smoke", action="store_true",
                    help="small data, a few seconds of load: checks that the suite runs")
    ap.add_argument("--places", type=int, default=1_000_000)
    ap.add_argument("--volunteers", type=int, default=200_000)
    ap.add_argument("--requests", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--duration", type=int, default=15, help="seconds per load run")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/antes"))
    ap.add_argument("--old-binary", help="an earlier build to load side by side")
    ap.add_argument("--reuse-data", action="store_true",
                    help="keep the bench database from the last run (no load, no import)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8411")))
    ap.add_argument("--out", default=os.path.join(ROOT, "target/bench"))
    ap.add_argument("--psql", required=True)
    ap.add_argument("--pgbench", required=True)
    ap.add_argument("--wrk", default="wrk")
    ap.add_argument("--martin", help="a martin binary, to serve the same places side by side")
    ap.add_argument("--only", choices=["tiles"], help="run one part only (with --reuse-data)")
    args = ap.parse_args()
    if args.smoke:
        args.places, args.volunteers, args.requests, args.duration = 5_000, 1_000, 500, 1
    os.makedirs(args.out, exist_ok=True)
    db = Db(os.environ["DATABASE_URL"], args.psql)
    name = "antes_bench_smoke" if args.smoke else "antes_bench"
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, {platform.platform()}",
        "postgres": db.sql("postgres", "SHOW server_version").strip(),
        "sizes": {"places": args.places, "volunteers": args.volunteers, "requests": args.requests,
                  "seed": args.seed},
        "duration_s": args.duration,
        "http": {}, "raw": {}, "strategies": {},
    }
    bench_url = db.url(name)
    env = {"DATABASE_URL": bench_url, "RUST_LOG": "error"}
    sample_args = ["--points", "200", "--samples", "100"] if args.smoke else []

    if not args.reuse_data:
        say(f"loading {args.places} places, {args.volunteers} volunteers, {args.requests} requests")
        db.fresh(name)
        run([args.binary, "migrate"], env=env)
        seconds, rss, out = timed_child(
            [args.binary, "bench-data", "--places", str(args.places), "--volunteers",
             str(args.volunteers), "--requests", str(args.requests), "--seed", str(args.seed)]
            + sample_args, env)
        results["load"] = {"seconds": seconds, "rss_mb": rss, "report": out}
        print(out, end="")

        say("import: the same places as an Overpass file, into an empty database")
        osm = os.path.join(args.out, "national.json")
        run([args.binary, "bench-data", "--overpass", osm, "--places", str(args.places),
             "--seed", str(args.seed)])
        imp = name + "_import"
        db.fresh(imp)
        imp_env = {"DATABASE_URL": db.url(imp), "RUST_LOG": "error"}
        run([args.binary, "migrate"], env=imp_env)
        seconds, rss, out = timed_child([args.binary, "import", "osm", osm], imp_env)
        again, again_rss, again_out = timed_child([args.binary, "import", "osm", osm], imp_env)
        results["import"] = {
            "elements": args.places, "bytes": os.path.getsize(osm),
            "seconds": seconds, "rss_mb": rss, "per_s": args.places / seconds, "report": out,
            "again_seconds": again, "again_per_s": args.places / again, "again_report": again_out,
        }
        print(f"import: {args.places} elements in {seconds:.1f} s = {args.places / seconds:.0f}/s, "
              f"peak RSS {rss:.0f} MB; again (unchanged) {again:.1f} s")
        if args.old_binary:
            # The old build imports the same file into an empty database of its own schema.
            db.fresh(imp)
            run([args.old_binary, "migrate"], env=imp_env)
            seconds, rss, out = timed_child([args.old_binary, "import", "osm", osm], imp_env)
            results["import_old"] = {"seconds": seconds, "rss_mb": rss, "per_s": args.places / seconds}
            print(f"import (old build): {args.places} elements in {seconds:.1f} s = "
                  f"{args.places / seconds:.0f}/s, peak RSS {rss:.0f} MB")
        db.sql("postgres", f"DROP DATABASE {imp} WITH (FORCE)")
        os.remove(osm)
        db.sql(name, "VACUUM ANALYZE")

    if args.only == "tiles":
        results["tiles"] = tiles_bench(args, db, name, bench_url)
        with open(os.path.join(args.out, "results_tiles.json"), "w") as fh:
            json.dump(results, fh, indent=2)
        say(f"results in {args.out}/results_tiles.json")
        return

    urls = write_url_files(db, name, args.out)
    counts = {k: int(db.sql(name, f"SELECT count(*) FROM {t}").strip())
              for k, t in [("points", "bench_points"), ("tasks", "bench_tasks"),
                           ("matches", "bench_matches")]}
    sql_dir = os.path.join(HERE, "sql")

    say("raw SQL with pgbench -M prepared")
    for endpoint, script in RAW.items():
        for conns in (1, 32):
            r = pgbench(args, db, name, os.path.join(sql_dir, script), conns, args.duration,
                        counts, args.out, endpoint)
            results["raw"][f"{endpoint}@{conns}"] = r
            print(f"raw  {endpoint:>16} c={conns:<2} p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  {r['tps']:.0f} tps")
    for strategy in STRATEGIES:
        r = pgbench(args, db, name, os.path.join(sql_dir, "strategies", strategy + ".sql"), 1,
                    args.duration, counts, args.out, strategy)
        results["strategies"][strategy] = r
        print(f"strategy {strategy:>20}: p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  {r['tps']:.0f} tps")

    if not args.smoke:
        say("criterion micro-benchmarks of the domain")
        out = run(["cargo", "bench", "--quiet", "--bench", "domain", "--",
                   "--warm-up-time", "1", "--measurement-time", "3"])
        results["criterion"] = criterion_medians(out)
        for name, median in results["criterion"].items():
            print(f"criterion {name}: {median}")

    builds = [("new", args.binary)] + ([("old", args.old_binary)] if args.old_binary else [])
    for label, binary in builds:
        say(f"HTTP load with wrk: {label} build ({binary})")
        with open(os.path.join(args.out, f"server_{label}.log"), "w") as log:
            server = Server(binary, bench_url, args.port, log)
            try:
                base = f"http://127.0.0.1:{args.port}"
                http = {}
                # Answer sizes first: after an old build's overload its pool may still be busy.
                sizes = {}
                for endpoint in ("nearby", "bbox"):
                    with open(urls[endpoint]) as fh:
                        first = fh.readline().strip()
                    sizes[endpoint] = len(urllib.request.urlopen(base + first).read())
                http["bytes"] = sizes
                for endpoint, path in urls.items():
                    # Warm the server's pool and each connection's prepared statements.
                    strict = label == "new"
                    wrk(args, base, path, 32, min(2, args.duration), strict)
                    for conns in (1, 32):
                        r = wrk(args, base, path, conns, args.duration, strict)
                        http[f"{endpoint}@{conns}"] = r
                        failed = r["non_2xx"] + r["socket_errors"]
                        print(f"http {label} {endpoint:>16} c={conns:<2} p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  {r['rps']:.0f} req/s"
                              + (f"  ({failed} failed of {r['requests']})" if failed else ""))
                http["rss_mb"] = server.rss_mb()
            finally:
                server.stop()
        results["http"][label] = http
        print(f"server {label}: peak RSS {http['rss_mb']:.1f} MB")

    results["tiles"] = tiles_bench(args, db, name, bench_url)

    with open(os.path.join(args.out, "results.json"), "w") as fh:
        json.dump(results, fh, indent=2)
    with open(os.path.join(args.out, "results.md"), "w") as fh:
        fh.write(markdown(results))
    say(f"results in {args.out}/results.md")


TILE_ZOOMS = (8, 12, 14)


def tile_url_files(db, name, out_dir, prefix, suffix=""):
    """Per zoom, the tiles under the sample points (cities weighted by population)."""
    files = {}
    for z in TILE_ZOOMS:
        q = (f"SELECT format('{prefix}/{z}/%s/%s{suffix}', "
             f"floor((lon + 180) / 360 * 2 ^ {z})::int, "
             f"floor((1 - ln(tan(radians(lat)) + 1 / cos(radians(lat))) / pi()) / 2 * 2 ^ {z})::int) "
             "FROM bench_points ORDER BY id")
        path = os.path.join(out_dir, f"urls_tiles_{prefix.strip('/').replace('/', '_')}_z{z}.txt")
        with open(path, "w") as fh:
            fh.write(db.sql(name, q))
        files[z] = path
    return files


def tiles_bench(args, db, name, bench_url):
    """Place tiles from our server and, with --martin, from martin over the same rows: the
    active places as a view with a geometry column, martin's cache off. Martin serves every
    place at every zoom; ours counts them per H3 cell below zoom 13."""
    say("vector tiles of places" + (" and martin side by side" if args.martin else ""))
    out = {}
    # Counts per cell for the low zooms, as the maintenance run keeps them.
    run([args.binary, "maintain"], env={"DATABASE_URL": bench_url, "RUST_LOG": "error"})
    ours = tile_url_files(db, name, args.out, "/tiles/places", ".mvt")
    servers = [("antes", ours, None)]
    if args.martin:
        db.sql(name, "CREATE OR REPLACE VIEW bench_places_geom AS SELECT id, name, kind, category, "
                     "location::geometry AS geom FROM places WHERE status = 'active'")
        theirs = {z: p for z, p in tile_url_files(db, name, args.out, "/bench_places_geom").items()}
        servers.append(("martin", theirs, None))
    for label, files, _ in servers:
        port = args.port + 1 if label == "martin" else args.port
        log = open(os.path.join(args.out, f"server_tiles_{label}.log"), "w")
        if label == "antes":
            server = Server(args.binary, bench_url, port, log)
            stop = server.stop
        else:
            cfg = os.path.join(args.out, "martin.yaml")
            with open(cfg, "w") as fh:
                fh.write(f"listen_addresses: '127.0.0.1:{port}'\ncache_size_mb: 0\n"
                         f"postgres:\n  connection_string: '{bench_url}'\n"
                         "  auto_publish: false\n  tables:\n    bench_places_geom:\n"
                         "      schema: public\n      table: bench_places_geom\n"
                         "      srid: 4326\n      geometry_column: geom\n      geometry_type: POINT\n"
                         "      properties:\n        id: int8\n        name: text\n"
                         "        kind: text\n        category: text\n")
            proc = subprocess.Popen([args.martin, "--config", cfg], stdout=log, stderr=log)
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            stop = proc.terminate
        try:
            base = f"http://127.0.0.1:{port}"
            for z, path in files.items():
                with open(path) as fh:
                    first = fh.readline().strip()
                size = len(urllib.request.urlopen(base + first).read())
                wrk(args, base, path, 8, min(2, args.duration))
                for conns in (1, 8):
                    r = wrk(args, base, path, conns, args.duration)
                    r["bytes_first"] = size
                    out[f"{label}@z{z}@{conns}"] = r
                    print(f"tiles {label:>6} z{z:<2} c={conns} p50 {r['p50_ms']:.2f} ms  "
                          f"p99 {r['p99_ms']:.2f} ms  {r['rps']:.0f} tiles/s  ({size} B)")
        finally:
            stop()
            log.close()
    return out


def markdown(r):
    lines = [f"Run {r['date']} on {r['machine']}, PostgreSQL {r['postgres']}; "
             f"{r['sizes']['places']} places, {r['sizes']['volunteers']} volunteers, "
             f"{r['sizes']['requests']} requests (seed {r['sizes']['seed']}); "
             f"{r['duration_s']} s per load run.", ""]
    http = r["http"]
    has_old = "old" in http
    head = "| endpoint | conns | new p50 | new p99 | new req/s |" + (
        " old p50 | old p99 | old req/s |" if has_old else "") + \
        " raw p50 | raw p99 | raw tps | HTTP/raw p99 | HTTP/raw tps |"
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for key in r["raw"]:
        endpoint, conns = key.split("@")
        new, raw = http["new"][key], r["raw"][key]
        row = f"| {endpoint} | {conns} | {new['p50_ms']:.2f} | {new['p99_ms']:.2f} | {new['rps']:.0f} |"
        if has_old:
            old = http["old"][key]
            failed = old["non_2xx"] + old["socket_errors"]
            note = f" ({failed} of {old['requests']} failed)" if failed else ""
            row += f" {old['p50_ms']:.2f} | {old['p99_ms']:.2f} | {old['rps']:.0f}{note} |"
        row += (f" {raw['p50_ms']:.2f} | {raw['p99_ms']:.2f} | {raw['tps']:.0f} |"
                f" {new['p99_ms'] / raw['p99_ms']:.2f} | {new['rps'] / raw['tps']:.2f} |")
        lines.append(row)
    if r.get("criterion"):
        lines += ["", "| criterion benchmark | median |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in r["criterion"].items()]
    lines += ["", "| nearby strategy (raw, 1 connection) | p50 ms | p99 ms | tps |", "|---|---|---|---|"]
    for s, v in r["strategies"].items():
        lines.append(f"| {s} | {v['p50_ms']:.2f} | {v['p99_ms']:.2f} | {v['tps']:.0f} |")
    lines.append("")
    for label in http:
        lines.append(f"- server RSS after the load ({label}): {http[label]['rss_mb']:.1f} MB; "
                     f"one nearby answer {http[label]['bytes']['nearby']} bytes, one city view "
                     f"(bbox) {http[label]['bytes']['bbox']} bytes")
    if "load" in r:
        lines.append(f"- bench-data: {r['load']['seconds']:.1f} s, peak RSS {r['load']['rss_mb']:.0f} MB")
        lines += ["", "```", r["load"]["report"].rstrip(), "```"]
    if "import_old" in r:
        i = r["import_old"]
        lines.append(f"- import osm, old build: {i['seconds']:.1f} s = {i['per_s']:.0f} elements/s, "
                     f"peak RSS {i['rss_mb']:.0f} MB")
    if "import" in r:
        i = r["import"]
        lines.append(f"- import osm: {i['elements']} elements ({i['bytes'] / 2**20:.0f} MiB) in "
                     f"{i['seconds']:.1f} s = {i['per_s']:.0f} elements/s, peak RSS {i['rss_mb']:.0f} MB; "
                     f"again, unchanged: {i['again_seconds']:.1f} s = {i['again_per_s']:.0f} elements/s")
    if r.get("tiles"):
        lines += ["", "| place tiles | conns | p50 ms | p99 ms | tiles/s | bytes (first tile) |",
                  "|---|---|---|---|---|---|"]
        for key, v in r["tiles"].items():
            label, z, conns = key.split("@")
            lines.append(f"| {label} {z} | {conns} | {v['p50_ms']:.2f} | {v['p99_ms']:.2f} | "
                         f"{v['rps']:.0f} | {v['bytes_first']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
