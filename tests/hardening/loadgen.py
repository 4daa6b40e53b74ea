"""A small load generator: N client threads, each with its own signed-in session, for D seconds.

    python tests/hardening/loadgen.py BASE_URL PLAN.json

PLAN names the sign-in (email, password), an API token, the URLs (page URLs with the session,
`api:`-prefixed URLs with the token), the clients, the seconds and a request cap. Each thread
signs in through the real login form, then requests the URLs round-robin from its own offset.
Prints one JSON line: clients, requests, errors, p50/p95/max in ms, requests per second, and
the p95 per URL kind. Any answer but 200 counts as an error.

The requests themselves go through http.client, not `requests`: this process shares the machine
with the server, and `requests` spent about a sixth of a core at 85 requests a second.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from urllib.parse import urlsplit

import requests


def sign_in(base: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/accounts/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"sign-in failed: {answer.status_code}")
    return session


def main() -> None:
    base = sys.argv[1]
    with open(sys.argv[2]) as handle:
        plan = json.load(handle)
    clients, seconds, cap = plan["clients"], plan["seconds"], plan["max_requests"]
    urls: list[tuple[str, str]] = plan["urls"]  # (kind, url)
    sessions = [sign_in(base, plan["email"], plan["password"]) for _ in range(clients)]
    samples: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]
    issued = [0]

    address = urlsplit(base)

    def client(number: int) -> None:
        cookie = "; ".join(f"{name}={value}" for name, value in sessions[number].cookies.items())
        page_headers = {"Cookie": cookie, "Accept": "text/html"}
        api_headers = {"Authorization": f"Bearer {plan['token']}", "Accept": "application/json"}
        index = number * 7
        start.wait()
        while time.monotonic() < stop_at[0]:
            with lock:
                if issued[0] >= cap:
                    return
                issued[0] += 1
            kind, url = urls[index % len(urls)]
            index += 1
            api = url.startswith("api:")
            began = time.perf_counter()
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
            try:
                connection.request("GET", url[4:] if api else url, headers=api_headers if api else page_headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                connection.close()
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                samples.append((kind, elapsed, status))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began

    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else 0.0

    times = [s[1] for s in samples]
    by_kind = defaultdict(list)
    for kind, elapsed, _ in samples:
        by_kind[kind].append(elapsed)
    errors = [s for s in samples if s[2] != 200]
    print(json.dumps({
        "clients": clients,
        "requests": len(samples),
        "errors": len(errors),
        "error_samples": sorted({f"{k} {s}" for k, _, s in errors})[:10],
        "p50_ms": round(statistics.median(times), 1) if times else 0,
        "p95_ms": round(pct(times, 0.95), 1),
        "max_ms": round(max(times), 1) if times else 0,
        "requests_per_s": round(len(samples) / wall, 1),
        "seconds": round(wall, 1),
        "p95_ms_by_kind": {k: round(pct(v, 0.95), 1) for k, v in sorted(by_kind.items())},
        "p50_ms_by_kind": {k: round(statistics.median(v), 1) for k, v in sorted(by_kind.items())},
    }))


if __name__ == "__main__":
    main()
