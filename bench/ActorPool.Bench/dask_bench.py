"""Dask's LocalCluster on the benchmark's tiny tasks, one at a time; prints one JSON object.

Run by bench/ActorPool.Bench with Debian's python3 (the package python3-distributed, which
bench/run installs), so Dask is measured in the same run as ActorPool.
"""
import json, sys, time
from dask.distributed import Client, LocalCluster

def trivial(x):
    return x + 1

if __name__ == "__main__":
    cfg = json.loads(sys.argv[1])
    with LocalCluster(n_workers=cfg["workers"], threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, Client(cluster) as client:
        client.gather(client.map(trivial, range(100), pure=False))  # warm-up
        n = cfg["tasks"]
        start = time.perf_counter()
        client.gather(client.map(trivial, range(n), pure=False))
        mapped = time.perf_counter() - start
        # Independent tasks, each submitted on its own, then gathered: like ActorPool's ApplyAsync.
        start = time.perf_counter()
        client.gather([client.submit(trivial, i, pure=False) for i in range(n)])
        print(json.dumps({"tasks_s": mapped, "submit_s": time.perf_counter() - start}))
