"""The queue pump against moto's SQS, with fake workers built on billfold's own SQS glue: it
behaves like Lambda's SQS event source mapping (partial batch failures, redelivery after the
visibility timeout, the dead-letter queue after the last try) and never stops."""

import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from billfold_lambda.observability import logger

from local.functions import FunctionLoader
from local.queues import Binding, QueuePump
from local.servers import Server, free_port, start_moto

pytestmark = pytest.mark.slow

WORKER = """
from billfold_lambda.queues import sqs_worker

def work(message):
    if message.get("fail"):
        raise RuntimeError("this message always fails")

handler = sqs_worker(work)
"""

LOGGING_WORKER = """
from billfold_lambda.observability import logger
from billfold_lambda.queues import sqs_worker
from tests.unit.test_local_queue_pump import BOTH_RUNNING

def work(message):
    BOTH_RUNNING.wait()
    logger.warning("worker says hello")

handler = sqs_worker(work)
"""

BOTH_RUNNING = threading.Barrier(2, timeout=30)
"""The logging workers meet here, so both are inside an invocation when they log."""


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_moto(free_port(), tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


@pytest.fixture
def sqs(moto: Server) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def functions(tmp_path: Path) -> FunctionLoader:
    for name, source in {"worker": WORKER, "worker_a": LOGGING_WORKER}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "handler.py").write_text(source)
    (tmp_path / "worker_b").symlink_to(tmp_path / "worker_a")
    return FunctionLoader(tmp_path)


@pytest.fixture
def make_queue(sqs: Any) -> Callable[..., Binding]:
    """A uniquely named queue with a dead-letter queue after `max_receives` deliveries."""

    def make(visibility: int, max_receives: int, operation: str = "worker") -> Binding:
        suffix = f"{time.monotonic_ns()}"
        dead = sqs.create_queue(QueueName=f"dlq-{suffix}")["QueueUrl"]
        redrive = {"deadLetterTargetArn": _arn(sqs, dead), "maxReceiveCount": max_receives}
        url = sqs.create_queue(
            QueueName=f"q-{suffix}",
            Attributes={
                "VisibilityTimeout": str(visibility),
                "RedrivePolicy": json.dumps(redrive),
            },
        )["QueueUrl"]
        return Binding(url, _arn(sqs, url), operation)

    return make


def _arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return arn


def _send(sqs: Any, binding: Binding, *bodies: dict[str, Any]) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=binding.queue_url, MessageBody=json.dumps(body))


def _counts(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight) messages of a queue."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(found[names[0]]), int(found[names[1]])


def _dead_letters(sqs: Any, binding: Binding) -> list[dict[str, Any]]:
    dead_arn = json.loads(
        sqs.get_queue_attributes(QueueUrl=binding.queue_url, AttributeNames=["RedrivePolicy"])[
            "Attributes"
        ]["RedrivePolicy"]
    )["deadLetterTargetArn"]
    dead = sqs.get_queue_url(QueueName=dead_arn.rsplit(":", 1)[1])["QueueUrl"]
    received = sqs.receive_message(
        QueueUrl=dead, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
    )
    messages: list[dict[str, Any]] = received.get("Messages", [])
    return messages


def test_a_partial_failure_deletes_only_what_succeeded(sqs, functions, make_queue):
    queue = make_queue(visibility=30, max_receives=3)
    _send(sqs, queue, {"n": 1}, {"fail": True}, {"n": 2})

    handled = QueuePump(sqs, functions, [queue]).drain("worker")

    assert handled == 2
    assert _counts(sqs, queue.queue_url) == (0, 1)  # back after the visibility timeout


def test_a_batch_where_every_message_fails_is_kept_for_redelivery(sqs, functions, make_queue):
    queue = make_queue(visibility=30, max_receives=3)
    _send(sqs, queue, {"fail": True}, {"fail": True})

    handled = QueuePump(sqs, functions, [queue]).drain("worker")

    assert handled == 0
    assert _counts(sqs, queue.queue_url) == (0, 2)


def test_a_message_that_keeps_failing_goes_to_the_dead_letter_queue(sqs, functions, make_queue):
    queue = make_queue(visibility=0, max_receives=2)
    _send(sqs, queue, {"fail": True, "id": "doomed"})
    pump = QueuePump(sqs, functions, [queue])

    for _ in range(3):
        pump.drain("worker")

    assert _counts(sqs, queue.queue_url) == (0, 0)
    [dead] = _dead_letters(sqs, queue)
    assert json.loads(dead["Body"])["id"] == "doomed"
    assert dead["Attributes"]["ApproximateReceiveCount"] == "3"  # 2 deliveries + this receive


def test_drain_stops_when_only_failing_messages_are_left(sqs, functions, make_queue):
    queue = make_queue(visibility=0, max_receives=1000)
    _send(sqs, queue, {"n": 1}, {"fail": True})
    outcome: list[int] = []
    draining = threading.Thread(
        target=lambda: outcome.append(QueuePump(sqs, functions, [queue]).drain("worker")),
        daemon=True,
    )

    draining.start()
    draining.join(timeout=60)

    assert outcome == [1]
    assert sum(_counts(sqs, queue.queue_url)) == 1


def test_the_background_pump_keeps_going_after_a_failed_batch(sqs, functions, make_queue):
    queue = make_queue(visibility=30, max_receives=3)
    pump = QueuePump(sqs, functions, [queue])
    pump.start()
    try:
        _send(sqs, queue, {"fail": True})
        assert _eventually(lambda: _counts(sqs, queue.queue_url) == (0, 1))
        _send(sqs, queue, {"n": 1})

        assert _eventually(lambda: _counts(sqs, queue.queue_url) == (0, 1))
    finally:
        pump.stop()


def _eventually(condition: Callable[[], bool]) -> bool:
    """Whether `condition` comes to hold within 20 s (the pump polls every half second)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_workers_running_at_once_log_their_own_function_name(sqs, functions, make_queue):
    queues = [make_queue(30, 3, "worker_a"), make_queue(30, 3, "worker_b")]
    for queue in queues:
        _send(sqs, queue, {"n": 1})
    pump = QueuePump(sqs, functions, queues)
    lines = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(lines)
    try:
        drains = [threading.Thread(target=pump.drain, args=(q.operation,)) for q in queues]
        for drain in drains:
            drain.start()
        for drain in drains:
            drain.join(timeout=60)
    finally:
        handler.setStream(previous)

    logged = [json.loads(line) for line in lines.getvalue().splitlines()]
    said = sorted(
        entry["function_name"] for entry in logged if entry["message"] == "worker says hello"
    )
    assert sorted(said) == ["worker_a", "worker_b"]


def test_drain_delivers_every_batch_until_the_queue_is_empty(sqs, functions, make_queue):
    queue = make_queue(visibility=30, max_receives=3)
    _send(sqs, queue, *({"n": n} for n in range(25)))  # three batches of at most ten

    handled = QueuePump(sqs, functions, [queue]).drain("worker")

    assert handled == 25
    assert _counts(sqs, queue.queue_url) == (0, 0)
