"""Retries: which failures are retried, how long the client waits, and how it gives up."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.retry import PollPolicy, RetryPolicy, server_delay, should_retry_status
from tests.api.conftest import FakeServer, checked, error_response, make_client


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried_until_the_call_succeeds(
    client: VideosClient, server: FakeServer, status: int
) -> None:
    server.fail(status, times=2)
    video = await client.create(prompt="a fox")
    assert video.status == "queued"
    assert len(server.requests) == 3
    # Exponential backoff from 0.5 s (jitter off in these tests).
    assert server.clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError])
async def test_connection_failures_and_timeouts_are_retried(
    client: VideosClient, server: FakeServer, exc: type[httpx.TransportError]
) -> None:
    server.drop(exc, times=3)
    video = await client.retrieve(server.add_video()["id"])
    assert video.status == "completed"
    assert server.clock.sleeps == [0.5, 1.0, 2.0]


async def test_one_idempotency_key_is_reused_across_the_retries_of_a_create(
    client: VideosClient, server: FakeServer
) -> None:
    server.fail(500)
    server.drop(httpx.ReadTimeout)
    server.fail(429)
    await client.create(prompt="a fox")
    await client.create(prompt="a fox")

    keys = [r.headers["idempotency-key"] for r in server.requests]
    assert len(keys) == 5
    assert len(set(keys[:4])) == 1, "the retries of one create must carry one key"
    assert keys[4] != keys[0], "a second create is a second job: a new key"


async def test_a_given_idempotency_key_is_sent_as_is(
    client: VideosClient, server: FakeServer
) -> None:
    server.fail(503)
    await client.create(prompt="a fox", idempotency_key="take-42")
    await client.remix(server.add_video()["id"], prompt="again", idempotency_key="take-43")
    keys = [r.headers["idempotency-key"] for r in server.requests]
    assert keys == ["take-42", "take-42", "take-43"]


async def test_gets_carry_no_idempotency_key(client: VideosClient, server: FakeServer) -> None:
    await client.retrieve(server.add_video()["id"])
    assert "idempotency-key" not in server.requests[-1].headers


@pytest.mark.parametrize(
    ("headers", "slept"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the finer one wins
        ({"retry-after": "soon"}, 0.5),  # unreadable: ordinary backoff
    ],
)
async def test_the_servers_retry_after_is_honoured(
    client: VideosClient, server: FakeServer, headers: dict[str, str], slept: float
) -> None:
    server.fail(429, headers=headers)
    await client.create(prompt="a fox")
    assert server.clock.sleeps == [slept]


async def test_retry_after_as_an_http_date_is_honoured(
    client: VideosClient, server: FakeServer
) -> None:
    when = email.utils.formatdate(server.clock.time() + 12, usegmt=True)
    server.fail(503, headers={"retry-after": when})
    await client.retrieve(server.add_video()["id"])
    assert server.clock.sleeps == [pytest.approx(12, abs=1)]


async def test_a_server_asking_for_too_long_a_wait_gets_an_error_at_once(
    client: VideosClient, server: FakeServer
) -> None:
    server.fail(429, headers={"retry-after": "3600"}, message="Too many running jobs.")
    with pytest.raises(errors.RateLimitError) as caught:
        await client.create(prompt="a fox")
    assert server.clock.sleeps == []
    message = str(caught.value)
    assert "Too many running jobs." in message
    assert "asked to wait 3600 s" in message
    assert "lower concurrency" in message


async def test_x_should_retry_overrides_the_status_rule(
    client: VideosClient, server: FakeServer
) -> None:
    server.fail(500, headers={"x-should-retry": "false"})
    with pytest.raises(errors.ServerError):
        await client.create(prompt="a fox")
    assert len(server.requests) == 1


async def test_retries_end_in_a_clear_error_after_the_budget(
    client: VideosClient, server: FakeServer
) -> None:
    server.fail(503, times=10, message="The engine is overloaded.")
    with pytest.raises(errors.ServerError) as caught:
        await client.create(prompt="a fox")
    assert len(server.requests) == 5  # 1 attempt + max_retries (4)
    assert server.clock.sleeps == [0.5, 1.0, 2.0, 4.0]
    error = caught.value
    assert error.status_code == 503
    assert str(error) == (
        "The server failed (503 on POST /videos after 5 attempts): The engine is overloaded. "
        "Try again later; if it persists, check the server's status page or logs."
    )


async def test_the_waiting_budget_caps_retries_before_max_retries(server: FakeServer) -> None:
    policy = RetryPolicy(max_retries=10, budget=5.0, random=lambda: 0.0)
    server.fail(500, times=20)
    async with make_client(server, retry=policy) as client:
        with pytest.raises(errors.ServerError, match="after 4 attempts"):
            await client.create(prompt="a fox")
    assert server.clock.sleeps == [0.5, 1.0, 2.0]  # 3.5 s; the next 4 s would pass 5 s


async def test_connection_failures_end_in_a_connection_error(
    client: VideosClient, server: FakeServer
) -> None:
    server.drop(httpx.ConnectError, times=5)
    with pytest.raises(errors.APIConnectionError) as caught:
        await client.retrieve("video_1")
    assert not isinstance(caught.value, errors.APITimeoutError)
    assert "Could not reach http://server.test/v1 for GET /videos/video_1 after 5 attempts" in str(
        caught.value
    )
    assert "Check the base URL" in str(caught.value)


async def test_timeouts_end_in_a_timeout_error(client: VideosClient, server: FakeServer) -> None:
    server.drop(httpx.ReadTimeout, times=5)
    with pytest.raises(errors.APITimeoutError, match="raise the client's timeout"):
        await client.retrieve("video_1")


async def test_a_decoding_failure_is_a_connection_error_not_an_httpx_one() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.DecodingError("bad gzip", request=request)

    policy = RetryPolicy(max_retries=0)
    transport = checked(handler)
    async with VideosClient("http://s.test/v1", transport=transport, retry=policy) as client:
        with pytest.raises(errors.APIConnectionError, match="DecodingError"):
            await client.retrieve("video_1")


@pytest.mark.parametrize(
    ("status", "cls", "advice"),
    [
        (400, errors.BadRequestError, "Fix the field it names"),
        (422, errors.BadRequestError, "Fix the field it names"),
        (401, errors.AuthenticationError, "SORA_NB_API_KEY"),
        (403, errors.PermissionDeniedError, "have access to this model"),
        (404, errors.NotFoundError, "Check the video id"),
    ],
)
async def test_client_errors_are_not_retried_and_are_typed(
    client: VideosClient,
    server: FakeServer,
    status: int,
    cls: type[errors.APIStatusError],
    advice: str,
) -> None:
    server.fail(status, message="Invalid size '1792x1024' for sora-2.", param="size", code="bad")
    with pytest.raises(cls) as caught:
        await client.create(prompt="a fox")
    assert len(server.requests) == 1
    error = caught.value
    assert (error.status_code, error.param, error.code) == (status, "size", "bad")
    assert error.server_message == "Invalid size '1792x1024' for sora-2."
    assert "Invalid size '1792x1024' for sora-2." in str(error)
    assert advice in str(error)


async def test_an_invalid_request_from_the_server_is_an_invalid_request_error(
    client: VideosClient, server: FakeServer
) -> None:
    server.fail(400, message="Must be one of 4, 8 or 12.", param="seconds")
    with pytest.raises(errors.InvalidRequestError) as caught:
        await client.create(prompt="a fox")
    assert caught.value.param == "seconds"
    assert "Must be one of 4, 8 or 12 (param: seconds). Fix the field it names" in str(caught.value)


async def test_a_non_json_error_body_is_quoted() -> None:
    transport = checked(lambda r: httpx.Response(502, text="Bad gateway from nginx"))
    policy = RetryPolicy(max_retries=0)
    async with VideosClient("http://s.test/v1", transport=transport, retry=policy) as client:
        with pytest.raises(
            errors.ServerError, match=r"502 on GET /videos/v1\): Bad gateway from nginx"
        ):
            await client.retrieve("v1")


def test_backoff_grows_exponentially_to_its_cap_with_jitter_only_downwards() -> None:
    top = RetryPolicy(random=lambda: 0.0)
    assert [top.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    bottom = RetryPolicy(random=lambda: 0.999999)
    assert bottom.backoff(3) == pytest.approx(1.5, abs=1e-5)


def test_policies_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match="floor and ceiling"):
        PollPolicy(floor=10, ceiling=5)
    with pytest.raises(ValueError, match="factor"):
        PollPolicy(factor=0.5)


def test_status_and_header_rules() -> None:
    assert should_retry_status(503, {})
    assert not should_retry_status(400, {})
    assert should_retry_status(400, {"x-should-retry": "true"})
    assert server_delay({"retry-after-ms": "-5"}, 0) == 0.0
    assert server_delay({}, 0) is None
    assert error_response(400).status_code == 400
