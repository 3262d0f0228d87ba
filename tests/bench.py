"""`make bench`: measured figures, printed (never asserted).

- cold import time of each handler module, in a fresh interpreter (what a Lambda cold start
  pays before the first request);
- request latency through the local gateway (handler + moto over loopback);
- the size of the two Lambda layers, if `make synth` has built them.
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from billfold_lambda.routes import ROUTES
from local.dev import running_local_api
from local.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
KEY = "bf_sk_benchmark_key_0123456789abcdefghijkl"
IMPORT_SAMPLES = 3
REQUESTS = 200


def cold_import_ms(operation: str) -> float:
    """Median wall time to import a handler module in a fresh interpreter."""
    handler = str(ROOT / "functions" / operation / "handler.py")
    code = (
        "import importlib.util, sys, time\n"
        "t = time.perf_counter()\n"
        f"s = importlib.util.spec_from_file_location('h', {handler!r})\n"
        "m = importlib.util.module_from_spec(s); sys.modules['h'] = m; s.loader.exec_module(m)\n"
        "print((time.perf_counter() - t) * 1000)\n"
    )
    env = {"BILLFOLD_TABLE_NAME": "bench", "POWERTOOLS_TRACE_DISABLED": "true", "PATH": ""}
    samples = [
        float(subprocess.check_output([sys.executable, "-c", code], env=env, text=True))
        for _ in range(IMPORT_SAMPLES)
    ]
    return statistics.median(samples)


def latency(session: requests.Session, url: str) -> tuple[float, float]:
    """p50 and p95 in milliseconds of GET `url`."""
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = session.get(url, timeout=10)
        timings.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    timings.sort()
    return timings[len(timings) // 2], timings[int(len(timings) * 0.95)]


def directory_mb(path: Path) -> float:
    """Total size of the files under `path`, in MB."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    """Measure and print."""
    print("handler cold import (median of 3, ms):")
    for operation in sorted({r.operation for r in ROUTES} | {"authorizer"}):
        print(f"  {operation:<18} {cold_import_ms(operation):7.1f}")

    with running_local_api(free_port(), KEY, ROOT / ".build" / "bench") as api:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {KEY}"
        print(f"local gateway latency over {REQUESTS} requests (p50 / p95 ms):")
        for path in ("/v1/features/api-calls", "/v1/plans", "/v1/customers/demo-customer"):
            p50, p95 = latency(session, api.url + path)
            print(f"  GET {path:<30} {p50:6.2f} / {p95:6.2f}")

    layers = ROOT / ".build" / "layers"
    if layers.exists():
        print("Lambda layers (unzipped MB):")
        for layer in sorted(p for p in layers.iterdir() if p.is_dir()):
            print(f"  {layer.name:<10} {directory_mb(layer):7.1f}")
    else:
        print("Lambda layers: run `make synth` first to build them")


if __name__ == "__main__":
    main()
