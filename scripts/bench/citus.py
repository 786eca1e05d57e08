"""Issue 15's measurements, run by scripts/bench/citus (see BENCHMARKS.md, "On Citus"). It loads
the same generated data with `antes bench-data` into one PostgreSQL and into the Citus
cluster, and then, for nearby, tasks and matches:

* on the cluster, how many shards each sampled task list is routed to, from the shard cells
  the app names (its covers, stored with the samples) and Citus's own placement of those
  values (`get_shard_id_for_distribution_column`), and the plan of a nearby search at a city
  point whose cover lies in one shard cell;
* on both, the load of each endpoint with wrk at 32 connections, and on the cluster how many
  of the queries Citus ran went to one shard or to several (`citus_stat_counters`).

Everything runs on one machine: the numbers show routing and correctness, not speed."""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, Db, Server, run, say, write_url_files, wrk  # noqa: E402

ENDPOINTS = ("nearby", "tasks", "matches")
NAME = "antes_bench_citus"

# Shards per task list, from the shard cells of its stored cover (`privacy::reach_cover`, as
# the app computes it). Nearby names the shard cells of its circle, which SQL cannot compute
# without H3: its routing is read from Citus's counters under load instead.
ROUTING = {
    "tasks": "SELECT count(DISTINCT get_shard_id_for_distribution_column('places', "
             "antes_shard_cell(c))) FROM bench_tasks t, unnest(t.lo) c GROUP BY t.id",
}


def load(args, db, admin, env):
    db.sql(admin, f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
    db.sql(admin, f"CREATE DATABASE {NAME}")
    run([args.binary, "migrate"], env=env)
    out = run([args.binary, "bench-data", "--places", str(args.places), "--volunteers",
               str(args.volunteers), "--requests", str(args.requests), "--points", "500",
               "--samples", "300"], env=env)
    print(out, end="")
    db.sql(NAME, "VACUUM ANALYZE")


def counters(db):
    row = db.sql(NAME, "SELECT query_execution_single_shard, query_execution_multi_shard "
                       "FROM citus_stat_counters((SELECT oid FROM pg_database "
                       "WHERE datname = current_database()))").strip().split("|")
    return int(row[0]), int(row[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--single", required=True, help="DATABASE_URL of one PostgreSQL")
    ap.add_argument("--cluster", required=True, help="DATABASE_URL of the Citus coordinator")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/debug/antes"))
    ap.add_argument("--places", type=int, default=200_000)
    ap.add_argument("--volunteers", type=int, default=40_000)
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8411")))
    ap.add_argument("--psql", required=True)
    ap.add_argument("--wrk", default="wrk")
    ap.add_argument("--out", default=os.path.join(ROOT, "target/bench"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = {"sizes": {"places": args.places, "volunteers": args.volunteers,
                         "requests": args.requests}, "duration_s": args.duration}

    for label, url in (("single", args.single), ("cluster", args.cluster)):
        db = Db(url, args.psql)
        # On the cluster, a database made from one with Citus in it is made on every node.
        admin = url.rsplit("/", 1)[1] if label == "cluster" else "postgres"
        bench_url = db.url(NAME)
        env = {"DATABASE_URL": bench_url, "RUST_LOG": "error"}
        say(f"{label}: loading {args.places} places, {args.volunteers} volunteers, "
            f"{args.requests} requests")
        load(args, db, admin, env)
        part = results[label] = {}
        if label == "cluster":
            for endpoint, sql in ROUTING.items():
                shards = [int(n) for n in db.sql(NAME, sql).split()]
                part[f"{endpoint}_routing"] = {
                    "samples": len(shards),
                    "one_shard_pct": 100 * sum(1 for n in shards if n == 1) / len(shards),
                    "mean_shards": sum(shards) / len(shards),
                }
                print(f"routing {endpoint}: {part[f'{endpoint}_routing']}")
            part["explain_nearby"] = db.sql(NAME, """
                SELECT format('EXPLAIN (COSTS OFF) SELECT id, name FROM places p
                  WHERE ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography,
                                   1500, false)
                    AND p.status = ''active'' AND p.shard_cell = ANY(%L::bigint[])
                  ORDER BY p.location <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography
                  LIMIT 20', lon, lat, array(SELECT DISTINCT antes_shard_cell(c) FROM unnest(lo) c),
                  lon, lat)
                FROM bench_points p
                WHERE (SELECT count(DISTINCT antes_shard_cell(c)) FROM unnest(p.lo) c) = 1
                ORDER BY id LIMIT 1""")
            part["explain_nearby"] = db.sql(NAME, part["explain_nearby"])
            print(part["explain_nearby"])
        urls = write_url_files(db, NAME, args.out)
        with open(os.path.join(args.out, f"citus_server_{label}.log"), "w") as log:
            server = Server(args.binary, bench_url, args.port, log)
            try:
                base = f"http://127.0.0.1:{args.port}"
                for endpoint in ENDPOINTS:
                    wrk(args, base, urls[endpoint], 32, 2)
                    if label == "cluster":
                        db.sql(NAME, "SELECT citus_stat_counters_reset(oid) FROM pg_database "
                                     "WHERE datname = current_database()")
                    r = wrk(args, base, urls[endpoint], 32, args.duration)
                    part[f"{endpoint}@32"] = r
                    line = (f"{label} {endpoint:>8} c=32 p50 {r['p50_ms']:.2f} ms  "
                            f"p99 {r['p99_ms']:.2f} ms  {r['rps']:.0f} req/s")
                    if label == "cluster":
                        single, multi = counters(db)
                        part[f"{endpoint}_executions"] = {"single_shard": single,
                                                          "multi_shard": multi,
                                                          "requests": r["requests"]}
                        line += (f"  Citus executions: {single} on one shard, {multi} on "
                                 f"several, for {r['requests']} requests")
                    print(line)
            finally:
                server.stop()
        db.sql(admin, f"DROP DATABASE {NAME} WITH (FORCE)")

    with open(os.path.join(args.out, "citus.json"), "w") as fh:
        json.dump(results, fh, indent=2)
    say(f"results in {args.out}/citus.json")


if __name__ == "__main__":
    main()
