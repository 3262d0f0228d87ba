"""`make dev`'s promise, checked the way a script would drive it: start, wait for the ready
line, call the API with the configured key, Ctrl-C, and find nothing left running."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from local.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
KEY = "bf_sk_dev_command_test_key_0123456789abcd"


def _wait_for_ready(process: subprocess.Popen[str], timeout: float = 60) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("billfold ready"):
            return lines
    pytest.fail(f"no 'billfold ready' line; output so far: {''.join(lines)}")


@pytest.mark.slow
def test_dev_serves_the_demo_with_the_configured_key_and_stops_cleanly():
    port, portal_port, demo_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "BILLFOLD_PORT": str(port),
        "BILLFOLD_PORTAL_PORT": str(portal_port),
        "BILLFOLD_DEMO_PORT": str(demo_port),
        "BILLFOLD_DEV_KEY": KEY,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "local.dev"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = _wait_for_ready(process)
        assert process.stdout is not None
        assert f"http://127.0.0.1:{port}" in lines[-1]
        banner = "".join(lines)
        while "Ctrl-C stops everything" not in banner:  # the banner's last line
            banner += process.stdout.readline()
        backends = re.findall(r"local (?:AWS|Stripe):\s+(http://127\.0\.0\.1:\d+)", banner)
        assert len(backends) == 2, banner
        portal = re.search(r"portal:\s+(\S+)#token=(bf_pt_\S+)", banner)
        assert portal is not None, banner
        assert portal.group(1) == f"http://127.0.0.1:{portal_port}/"
        page = requests.get(portal.group(1), timeout=10)
        assert page.status_code == 200
        assert "<billfold-portal>" in page.text
        pricing_page = re.search(r"pricing page:\s+(\S+)", banner)
        assert pricing_page is not None, banner
        assert pricing_page.group(1) == f"http://127.0.0.1:{demo_port}/"
        assert "<billfold-pricing-table" in requests.get(pricing_page.group(1), timeout=10).text
        publishable = re.search(r"publishable key:\s+(bf_pk_\S+)", banner)
        assert publishable is not None, banner
        public = {"Authorization": f"Bearer {publishable.group(1)}"}
        pricing = requests.get(f"http://127.0.0.1:{port}/v1/pricing", headers=public, timeout=10)
        assert {"free", "starter", "pro"} <= {p["id"] for p in pricing.json()["plans"]}
        as_customer = {"Authorization": f"Bearer {portal.group(2)}"}
        subscription = requests.get(
            f"http://127.0.0.1:{port}/v1/customers/demo-customer/subscription",
            headers=as_customer,
            timeout=10,
        )
        assert subscription.status_code == 200
        assert subscription.json()["planId"] == "pro"

        auth = {"Authorization": f"Bearer {KEY}"}
        plans = requests.get(f"http://127.0.0.1:{port}/v1/plans", headers=auth, timeout=10)
        assert plans.status_code == 200
        assert {"free", "starter", "pro"} <= {p["id"] for p in plans.json()["items"]}
        customer = requests.get(
            f"http://127.0.0.1:{port}/v1/customers/demo-customer", headers=auth, timeout=10
        )
        assert customer.json()["stripeCustomerId"].startswith("cus_")
        unauthenticated = requests.get(f"http://127.0.0.1:{port}/v1/plans", timeout=10)
        assert unauthenticated.status_code == 401

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        for backend in [*backends, portal.group(1)]:
            with pytest.raises(requests.ConnectionError):
                requests.get(backend, timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
