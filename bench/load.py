"""A bounded HTTP load driver (no Django): N client threads for a fixed duration.

    python -m bench.load < plan.json  > result.json

plan: {"port": int, "clients": int, "warmup": s, "duration": s, "timeout": s,
       "targets": [{"cookie": "sessionid=…", "urls": ["/…", …]}, …]}
Client i uses target i mod len(targets) and cycles through its URLs. Each request opens
a connection (gunicorn's sync workers close it after every response). Only requests
that end after the warm-up (and started before the end) count; requests per second over
the time from the end of the warm-up to the last answer. Loopback only.
"""

import http.client
import json
import sys
import threading
import time

HOST = "127.0.0.1"


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def _client(plan, target, offset, start, results):
    latencies, statuses, errors, last_done = [], {}, 0, 0.0
    urls = target["urls"]
    measured_from = start + plan["warmup"]
    stop_at = measured_from + plan["duration"]
    index = offset
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        url = urls[index % len(urls)]
        index += 1
        connection = http.client.HTTPConnection(HOST, plan["port"], timeout=plan["timeout"])
        try:
            connection.request("GET", url, headers={"Cookie": target["cookie"]})
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = None
        finally:
            connection.close()
        done = time.perf_counter()
        # Measured: every request that ends after the warm-up (and started before the end).
        # Requests still running when the warm-up ends count too: a page slower than the
        # warm-up would otherwise measure nothing.
        if done < measured_from:
            continue
        last_done = max(last_done, done)
        if status is None:
            errors += 1
            continue
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append(done - now)
    results.append((latencies, statuses, errors, last_done))


def run(plan: dict) -> dict:
    results: list = []
    start = time.perf_counter()
    threads = [
        threading.Thread(
            target=_client,
            args=(plan, plan["targets"][i % len(plan["targets"])], i * 7, start, results),
            daemon=True,
        )
        for i in range(plan["clients"])
    ]
    for thread in threads:
        thread.start()
    deadline = start + plan["warmup"] + plan["duration"] + plan["timeout"] + 5
    for thread in threads:
        thread.join(max(0.0, deadline - time.perf_counter()))
    latencies = [value for r in results for value in r[0]]
    statuses: dict = {}
    for r in results:
        for status, count in r[1].items():
            statuses[str(status)] = statuses.get(str(status), 0) + count
    ok = statuses.get("200", 0)
    window = max([r[3] for r in results] + [start + plan["warmup"] + plan["duration"]])
    window -= start + plan["warmup"]
    return {
        "requests": len(latencies),
        "ok": ok,
        "statuses": statuses,
        "errors": sum(r[2] for r in results),
        "rps": ok / window,
        "window_s": window,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "max_ms": max(latencies, default=0.0) * 1000,
    }


def main() -> None:
    plan = json.load(sys.stdin)
    json.dump(run(plan), sys.stdout)


if __name__ == "__main__":
    main()
