"""The same jobs as the C# benchmark, on CPython's multiprocessing.Pool; prints one JSON object.

Run by bench/ActorPool.Bench so both sides are measured in one run on the same machine.
"""
import json, math, multiprocessing as mp, statistics, sys, time

def trivial(x):
    return x + 1

def cpu(x):
    acc = 0.0
    for i in range(20_000):
        acc += math.sqrt(i ^ x)
    return acc

def skewed(x):
    time.sleep(0.020 if x % 10 == 0 else 0.002)
    return x

def best_of(runs, fn):
    times = []
    for _ in range(runs):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return statistics.median(times)

if __name__ == "__main__":
    cfg = json.loads(sys.argv[1])
    workers = cfg["workers"]
    out = {}
    if cfg["mode"] == "distributed":
        with mp.Pool(workers) as pool:
            pool.map(trivial, range(1000))
            out["tiny_chunked_s"] = best_of(3, lambda: pool.map(trivial, range(cfg["tiny_chunked"])))
            out["tiny_one_by_one_s"] = best_of(3, lambda: sum(1 for _ in pool.imap(trivial, range(cfg["tiny_one_by_one"]), 1)))
        print(json.dumps(out))
        sys.exit(0)
    with mp.Pool(workers) as pool:
        pool.map(trivial, range(1000))
        n = cfg["trivial_items"]
        out["map_trivial_s"] = best_of(3, lambda: pool.map(trivial, range(n)))
        m = cfg["cpu_items"]
        out["cpu_serial_s"] = best_of(1, lambda: [cpu(i) for i in range(m)])
        out["cpu_map_s"] = best_of(1, lambda: pool.map(cpu, range(m)))
        k = cfg["imap_items"]
        out["imap1_s"] = best_of(3, lambda: sum(1 for _ in pool.imap(trivial, range(k), 1)))
        r = cfg["apply_round_trips"]
        def apply_loop():
            for i in range(r):
                pool.apply_async(trivial, (i,)).get()
        out["apply_s"] = best_of(3, apply_loop)
        s = cfg["skewed_items"]
        out["skewed_s"] = best_of(1, lambda: pool.map(skewed, range(s), 1))
    print(json.dumps(out))
