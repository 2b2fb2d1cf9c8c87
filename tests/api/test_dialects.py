"""VideosClient against each engine's dialect: what each receives, and how its answers are read.

Every engine here is an :class:`~tests.engine_fakes.EngineFake` answering as
``shared/spec/engine-dialects.md`` describes (vLLM-Omni refuses JSON bodies and other models'
names, SGLang and FastVideo forget instead of cancelling, LiteLLM has no DELETE...).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from sora_nb.api import errors
from sora_nb.api.client import VideosClient
from sora_nb.api.clock import SimulatedClock
from sora_nb.api.dialect_clues import from_job
from sora_nb.api.dialects import DIALECTS, EngineVersionWarning, detect
from sora_nb.api.retry import PollPolicy, RetryPolicy
from sora_nb.api.types import Video
from tests.engine_fakes import BLOCKED_WORD, GUARDRAIL, SERVED, EngineFake, tiny_mp4

ENGINES = ("vllm-omni", "sglang", "fastvideo")


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return tiny_mp4(tmp_path_factory.mktemp("clip") / "clip.mp4")


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock()


def engine(dialect: str, mp4: bytes, clock: SimulatedClock, **options: object) -> EngineFake:
    return EngineFake(dialect, mp4, clock=clock, job_seconds=30.0, **options)  # type: ignore[arg-type]


def client_for(fake: EngineFake, clock: SimulatedClock, **options: object) -> VideosClient:
    options.setdefault("retry", RetryPolicy(random=lambda: 0.0))
    options.setdefault("poll", PollPolicy(random=lambda: 0.0))
    return VideosClient(
        fake.base_url,
        "sk-engine",
        transport=fake.transport(),
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def body_of(request: httpx.Request) -> dict[str, object]:
    """The fields a create carried, whatever its encoding."""
    if request.headers["content-type"].startswith("multipart/"):
        from tests.openapi_spec import _parse_multipart

        return dict(_parse_multipart(request)[0])
    loaded: dict[str, object] = json.loads(request.content)
    return loaded


# -- finding the dialect ----------------------------------------------------------------------


@pytest.mark.parametrize("dialect", [*ENGINES, "litellm"])
async def test_each_engine_is_found_from_its_models_answer(
    dialect: str, mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock) as client:
        assert client.dialect is None  # nothing known before asking
        info = await client.detect()
    assert info.dialect.name == dialect and not info.assumed
    assert info.models == (fake.served,)
    # SGLang names its version at /server_info, vLLM-Omni at vLLM's /version (outside /v1).
    routes = {"sglang": "/server_info", "vllm-omni": "/version"}
    asked = ["/v1/models", routes[dialect]] if dialect in routes else ["/v1/models"]
    assert [r.url.path for r in fake.requests] == asked
    versions = {"sglang": "0.5.23", "vllm-omni": "0.30.0"}
    assert info.version == versions.get(dialect)
    if dialect != "litellm":
        assert info.default_model == SERVED


async def test_an_engine_version_not_tested_against_is_named_with_a_one_line_warning(
    mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine("sglang", mp4, clock)
    fake.version = "0.6.0"
    async with client_for(fake, clock) as client:
        with pytest.warns(EngineVersionWarning) as caught:
            info = await client.detect()
    [warning] = caught
    said = str(warning.message)
    assert said == "SGLang Diffusion 0.6.0 is not a version sora_nb was tested against (0.5.23)."
    assert "\n" not in said
    lines = info.describe().splitlines()
    assert lines[:2] == ["Dialect: SGLang Diffusion 0.6.0 (/v1/models owned_by 'sglang').", said]


async def test_the_tested_version_is_named_without_a_warning(
    mp4: bytes, clock: SimulatedClock
) -> None:
    import warnings

    fake = engine("sglang", mp4, clock)
    async with client_for(fake, clock) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("error", EngineVersionWarning)
            info = await client.detect()
    assert info.describe().startswith("Dialect: SGLang Diffusion 0.5.23 (/v1/models owned_by")
    assert info.untested is None


def test_detection_reads_litellm_headers_and_assumes_openai_for_the_rest() -> None:
    body = json.dumps({"data": [{"id": "veo-3", "owned_by": "vertex_ai", "created": 5}]}).encode()
    assert detect(200, body, {"x-litellm-version": "1.95.0"}).dialect.name == "litellm"
    plain = detect(200, json.dumps({"data": [{"id": "sora-2", "owned_by": "system"}]}).encode(), {})
    assert plain.dialect.name == "openai" and plain.assumed
    assert detect(404, b'{"detail":"Not Found"}', {}).found.startswith("no /v1/models")


def test_job_ids_betray_their_engine() -> None:
    assert from_job("video_gen_" + "ab" * 16, {}) is DIALECTS["vllm-omni"]
    assert from_job("3f2504e0-4f89-41d3-9a0c-0305e82c3301", {}) is DIALECTS["sglang"]
    assert from_job("ab" * 16, {"file_path": "/x.mp4"}) is DIALECTS["fastvideo"]
    assert from_job("video_bGl0ZWxsbTpjdXN0b21fbGxtX3Byb3ZpZGVyOm9wZW5haQ==", {}).name == "litellm"  # type: ignore[union-attr]
    assert from_job("video_68d7512d07848190b3e45da0ecbebcde", {}) is None


# -- what each dialect receives -----------------------------------------------------------------


async def test_vllm_omni_gets_a_form_with_its_own_model_never_json_or_sora_2(
    mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine("vllm-omni", mp4, clock)
    async with client_for(fake, clock, dialect="vllm-omni") as client:
        video = await client.create(prompt="a heron", seconds=4, size="832x480", seed=7, steps=30)
        with pytest.raises(errors.InvalidRequestError, match=r"serves Wan-AI/Wan2\.2-T2V-A14B"):
            await client.create(prompt="a heron", model="sora-2")
        # The catalog's short name is the same checkpoint: the served name goes out.
        await client.create(prompt="a heron", model="Wan2.2-T2V-A14B")
    assert video.id.startswith("video_gen_")
    first, second = fake.creates()
    for request in (first, second):
        assert request.headers["content-type"].startswith("multipart/form-data")
        assert body_of(request)["model"] == SERVED
    assert body_of(first) == {
        "prompt": "a heron",
        "model": SERVED,
        "seconds": "4",
        "size": "832x480",
        "seed": "7",
        "num_inference_steps": "30",
        # vLLM-Omni 0.30.0 reports a job's stage metrics only when asked.
        "return_stage_metrics": "true",
    }
    assert "sora-2" not in b"".join(r.content for r in fake.requests).decode("latin1")


@pytest.mark.parametrize("dialect", ["sglang", "fastvideo"])
async def test_sglang_and_fastvideo_get_json_with_whole_seconds_and_the_knobs(
    dialect: str, mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        await client.create(
            prompt="a heron",
            seconds="5",
            negative_prompt="blurry",
            guidance=4.5,
            num_frames=81,
            fps=16,
        )
    [request] = fake.creates()
    assert request.headers["content-type"] == "application/json"
    # FastVideo misreads a create with no size: the served model's usual one is sent.
    size = {"size": "1280x720"} if dialect == "fastvideo" else {}
    assert body_of(request) == {
        "prompt": "a heron",
        "model": SERVED,
        **size,
        "seconds": 5,
        "negative_prompt": "blurry",
        "guidance_scale": 4.5,
        "num_frames": 81,
        "fps": 16,
    }


async def test_fastvideo_is_never_sent_a_create_it_would_misread(
    mp4: bytes, clock: SimulatedClock
) -> None:
    """FastVideo 0.2.1 makes a job of size "" and 0 seconds from a create naming neither:
    the served model's usual clip goes instead, and a model sora_nb does not know is refused."""
    fake = engine("fastvideo", mp4, clock)
    async with client_for(fake, clock, dialect="fastvideo") as client:
        await client.create(prompt="a heron")
    [request] = fake.creates()
    assert (body_of(request)["size"], body_of(request)["seconds"]) == ("1280x720", 5)

    unknown = EngineFake("fastvideo", mp4, clock=clock, served="acme/unknown-video-model")
    async with client_for(unknown, clock, dialect="fastvideo") as client:
        with pytest.raises(errors.InvalidRequestError, match="misreads a request naming no size"):
            await client.create(prompt="a heron", seconds=4)
        await client.create(prompt="a heron", seconds=4, size="832x480")
    [sent] = unknown.creates()
    assert (body_of(sent)["size"], body_of(sent)["seconds"]) == ("832x480", 4)


@pytest.mark.parametrize("dialect", ["openai", "litellm"])
async def test_knobs_are_refused_before_sending_where_they_are_not_taken(
    dialect: str, mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        with pytest.raises(errors.InvalidRequestError, match="takes no seed, steps") as caught:
            await client.create(prompt="a heron", seed=7, steps=30)
    assert caught.value.param == "seed" and caught.value.status_code is None
    assert fake.video_requests() == []


async def test_knob_values_are_checked_before_sending(mp4: bytes, clock: SimulatedClock) -> None:
    fake = engine("vllm-omni", mp4, clock)
    async with client_for(fake, clock, dialect="vllm-omni") as client:
        for bad, says in (
            ({"steps": 0}, "steps should be a whole number from 1 to 200"),
            ({"guidance": 25.0}, "guidance should be a number from 0 to 20"),
            ({"seed": -1}, "seed should be a whole number from 0"),
            ({"num_frames": 80}, "makes 4k\\+1 frames .* use 77 or 81"),
        ):
            with pytest.raises(errors.InvalidRequestError, match=says):
                await client.create(prompt="a heron", **bad)
    assert fake.creates() == []


async def test_a_client_that_was_told_nothing_learns_vllm_omni_from_its_refusal_of_json(
    mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine("vllm-omni", mp4, clock)
    async with client_for(fake, clock) as client:
        video = await client.create(prompt="a heron", seconds=4)
        assert client.dialect is DIALECTS["vllm-omni"]
        await client.create(prompt="a second heron")
    refused, accepted, second = fake.creates()
    assert refused.headers["content-type"] == "application/json"
    assert accepted.headers["content-type"].startswith("multipart/")
    assert refused.headers["idempotency-key"] == accepted.headers["idempotency-key"]
    assert second.headers["content-type"].startswith("multipart/")  # no second refusal
    assert video.id.startswith("video_gen_") and len(fake.jobs) == 2


async def test_ids_of_the_answers_teach_an_untold_client_its_dialect(
    mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine("sglang", mp4, clock)
    async with client_for(fake, clock) as client:
        video = await client.create(prompt="a heron")
        assert client.dialect is DIALECTS["sglang"]
    assert len(video.id) == 36 and [r.url.path for r in fake.requests] == ["/v1/videos"]


# -- statuses, progress, failed jobs ------------------------------------------------------------


async def test_processing_is_not_final_and_progress_may_stay_at_zero(
    mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine("litellm", mp4, clock)
    seen: list[tuple[str, int]] = []
    async with client_for(fake, clock, dialect="litellm") as client:
        video = await client.create(prompt="a heron")
        assert video.status == "processing" and not video.done
        done = await client.wait(video, on_progress=lambda v: seen.append((v.status, v.progress)))
    assert done.status == "completed"
    assert {s for s, _ in seen[:-1]} == {"processing"} and all(p == 0 for _, p in seen)


@pytest.mark.parametrize("status", ["cancelled", "canceled", "deleted"])
def test_cancelled_and_deleted_end_a_job(status: str) -> None:
    video = Video(id="v", status=status)
    assert video.done and (video.failed or video.deleted)


async def test_vllm_omni_sends_a_failed_job_with_its_error_status_and_it_is_read_as_the_job(
    mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine("vllm-omni", mp4, clock)
    async with client_for(fake, clock, dialect="vllm-omni") as client:
        video = await client.create(prompt=f"a {BLOCKED_WORD} heron")
        final = await client.wait(video)
        again = await client.retrieve(video.id)
        with pytest.raises(errors.JobFailedError, match="blocked by Cosmos3"):
            await client.wait(video.id, raise_on_failure=True)
    assert final.failed and final.error is not None
    assert (final.error.code, final.error.message) == ("400", GUARDRAIL)
    assert again.failed
    statuses = [r for r in fake.requests if r.method == "GET" and "/content" not in r.url.path]
    assert statuses, "the failed job was polled"


@pytest.mark.parametrize("dialect", ["sglang", "fastvideo"])
async def test_sglang_and_fastvideo_failed_jobs_carry_only_a_message(
    dialect: str, mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        final = await client.wait(await client.create(prompt=f"{BLOCKED_WORD} heron"))
    assert final.failed and final.error is not None
    assert (final.error.code, final.error.message) == ("unknown", GUARDRAIL)


# -- content --------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ENGINES)
async def test_a_failed_jobs_content_is_its_failure_not_a_retry(
    dialect: str, mp4: bytes, clock: SimulatedClock, tmp_path: Path
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        video = await client.wait(await client.create(prompt=f"{BLOCKED_WORD} heron"))
        with pytest.raises(errors.JobFailedError, match="blocked by Cosmos3"):
            await client.download(video, tmp_path / "v.mp4")
    contents = [r for r in fake.requests if r.url.path.endswith("/content")]
    assert len(contents) == 1, "a failed job's content is asked for once, never retried"
    assert not (tmp_path / "v.mp4").exists()


# FastVideo 0.2.1 marks a job completed only once its file is written (its generator saves
# the MP4 before returning): a 404 then means the file is gone, said at once (below).
@pytest.mark.parametrize("dialect", [d for d in ENGINES if d != "fastvideo"])
async def test_content_still_in_progress_is_waited_for(
    dialect: str, mp4: bytes, clock: SimulatedClock, tmp_path: Path
) -> None:
    fake = engine(dialect, mp4, clock)
    fake.content_lag = 2  # the status says completed a moment before the file is there
    async with client_for(fake, clock, dialect=dialect) as client:
        video = await client.wait(await client.create(prompt="a heron"))
        before = clock.now
        path = await client.download(video, tmp_path / "v.mp4")
    assert path.read_bytes() == mp4
    assert len([r for r in fake.requests if r.url.path.endswith("/content")]) == 3
    assert clock.now - before == pytest.approx(2 * 2.0)  # two waits of the poll floor


async def test_fastvideo_completed_job_without_its_file_is_said_at_once(
    mp4: bytes, clock: SimulatedClock, tmp_path: Path
) -> None:
    fake = engine("fastvideo", mp4, clock)
    fake.content_lag = 2  # its 404 "Video still being generated" on a completed job
    async with client_for(fake, clock, dialect="fastvideo") as client:
        video = await client.wait(await client.create(prompt="a heron"))
        before = clock.now
        with pytest.raises(errors.ContentMissingError, match="'Video still being generated'"):
            await client.download(video, tmp_path / "v.mp4")
    assert len([r for r in fake.requests if r.url.path.endswith("/content")]) == 1
    assert clock.now == before  # no wait


async def test_sglang_content_in_the_cloud_is_fetched_from_the_jobs_url_without_the_key(
    mp4: bytes, clock: SimulatedClock, tmp_path: Path
) -> None:
    fake = engine("sglang", mp4, clock)
    fake.cloud = True
    async with client_for(fake, clock, dialect="sglang") as client:
        video = await client.wait(await client.create(prompt="a heron"))
        path = await client.download(video, tmp_path / "v.mp4")
    assert path.read_bytes() == mp4
    bucket = [r for r in fake.requests if r.url.host == "bucket.example"]
    assert len(bucket) == 1 and "authorization" not in bucket[0].headers


async def test_sglang_is_asked_for_its_video_with_no_variant(
    mp4: bytes, clock: SimulatedClock, tmp_path: Path
) -> None:
    """SGLang 0.5.23 reads ``variant`` as an output index: ``?variant=video`` is a 404."""
    fake = engine("sglang", mp4, clock)
    async with client_for(fake, clock, dialect="sglang") as client:
        video = await client.wait(await client.create(prompt="a heron"))
        path = await client.download(video, tmp_path / "v.mp4")
    assert path.read_bytes() == mp4
    [content] = [r for r in fake.requests if r.url.path.endswith("/content")]
    assert "variant" not in content.url.params


async def test_a_server_that_numbers_its_variants_is_asked_again_without_one(
    mp4: bytes, clock: SimulatedClock, tmp_path: Path
) -> None:
    """A server of no known dialect answering as SGLang 0.5.23 does: ``?variant=video`` is
    404 "Video variant video not found"; the video is then asked for with no variant."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/content"):
            variant = request.url.params.get("variant")
            if variant not in (None, "0"):
                return httpx.Response(404, json={"detail": f"Video variant {variant} not found"})
            return httpx.Response(200, content=mp4, headers={"content-type": "video/mp4"})
        return httpx.Response(200, json={"id": "job-1", "status": "completed", "progress": 100})

    transport = httpx.MockTransport(answer)
    before = clock.now
    async with VideosClient("http://x.test/v1", transport=transport, clock=clock) as client:
        path = await client.download("job-1", tmp_path / "v.mp4")
    assert path.read_bytes() == mp4 and clock.now == before  # no wait
    assert [(r.url.path, r.url.params.get("variant")) for r in seen] == [
        ("/v1/videos/job-1/content", "video"),
        ("/v1/videos/job-1/content", None),
    ]


@pytest.mark.parametrize("told", [True, False])
async def test_a_completed_jobs_content_404_quotes_the_server_at_once(
    told: bool, mp4: bytes, clock: SimulatedClock, tmp_path: Path
) -> None:
    """The job says completed but the engine lost its file: no wait for a video that will
    never come, and the error says what the server answered."""
    fake = engine("sglang", mp4, clock)
    fake.files_lost = True
    async with client_for(fake, clock, dialect="sglang" if told else None) as client:
        video = await client.wait(await client.create(prompt="a heron"))
        before = clock.now
        with pytest.raises(errors.ContentMissingError) as caught:
            await client.download(video, tmp_path / "v.mp4")
    assert clock.now == before, "it waited for a completed job's content"
    assert caught.value.status_code == 404 and not caught.value.expired
    assert str(caught.value).startswith(f"Job {video.id} is completed, but the server answered")
    assert "'Video variant None not found'" in str(caught.value)
    assert not (tmp_path / "v.mp4").exists()


@pytest.mark.parametrize("dialect", [*ENGINES, "litellm"])
async def test_previews_are_not_asked_of_a_server_that_makes_none(
    dialect: str, mp4: bytes, clock: SimulatedClock, tmp_path: Path
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        video = await client.wait(await client.create(prompt="a heron"))
        with pytest.raises(errors.UnsupportedError, match="makes no thumbnails") as caught:
            await client.download(video, tmp_path / "t.webp", variant="thumbnail")
    assert caught.value.feature == "thumbnail"
    assert not any(r.url.path.endswith("/content") for r in fake.requests)


# -- delete, remix, list --------------------------------------------------------------------------


async def test_vllm_omni_delete_cancels_and_its_409_is_retried(
    mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine("vllm-omni", mp4, clock)
    fake.cancel_409 = 2
    async with client_for(fake, clock, dialect="vllm-omni") as client:
        video = await client.create(prompt="a heron")
        gone = await client.delete(video)
    assert gone.deleted and gone.id == video.id and gone.cancelled is None
    assert len([r for r in fake.requests if r.method == "DELETE"]) == 3
    assert fake.jobs == {}


@pytest.mark.parametrize("dialect", ["sglang", "fastvideo"])
async def test_sglang_and_fastvideo_delete_answers_with_the_job_and_does_not_cancel(
    dialect: str, mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        gone = await client.delete(await client.create(prompt="a heron"))
    assert gone.deleted and gone.cancelled is False
    assert (gone.model_extra or {})["status"] == "deleted"


async def test_litellm_has_no_delete_and_says_so_plainly(mp4: bytes, clock: SimulatedClock) -> None:
    fake = engine("litellm", mp4, clock)
    async with client_for(fake, clock, dialect="litellm") as client:
        video = await client.create(prompt="a heron")
        with pytest.raises(
            errors.UnsupportedError, match="cannot delete or cancel videos; nothing"
        ):
            await client.delete(video)
    assert not any(r.method == "DELETE" for r in fake.requests)
    # Told nothing, the client finds out from the 405 and says the same plainly.
    async with client_for(fake, clock) as client:
        with pytest.raises(errors.UnsupportedError, match="405 Method Not Allowed") as caught:
            await client.delete(video)
    assert caught.value.status_code == 405 and caught.value.feature == "delete"


@pytest.mark.parametrize("dialect", ENGINES)
async def test_engines_cannot_remix_and_nothing_is_sent(
    dialect: str, mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine(dialect, mp4, clock)
    async with client_for(fake, clock, dialect=dialect) as client:
        with pytest.raises(errors.UnsupportedError, match="cannot remix"):
            await client.remix("some-job", prompt="at night")
    assert fake.requests == []


async def test_lists_without_pagination_fields_are_paged_by_hand(
    mp4: bytes, clock: SimulatedClock
) -> None:
    fake = engine("sglang", mp4, clock)
    async with client_for(fake, clock, dialect="sglang") as client:
        made = [(await client.create(prompt=f"heron {n}")).id for n in range(5)]
        listed = [video.id async for video in client.list(page_size=2)]
        with pytest.raises(errors.InvalidRequestError, match="between 1 and 100"):
            await client.list_page(limit=0)
    assert listed == made
    pages = [r for r in fake.requests if r.method == "GET" and r.url.path == "/v1/videos"]
    assert [r.url.params.get("after") for r in pages] == [None, made[1], made[3]]


# -- both error envelopes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "says", "param"),
    [
        (
            422,
            {
                "detail": [
                    {
                        "type": "int_parsing",
                        "loc": ["body", "seconds"],
                        "msg": "Input should be a valid integer",
                        "input": "abc",
                    }
                ]
            },
            "seconds: Input should be a valid integer",
            "seconds",
        ),
        (400, {"detail": "size must be formatted as positive WIDTHxHEIGHT"}, "WIDTHxHEIGHT", None),
        (
            400,
            {
                "error": {
                    "message": "1 validation error",
                    "type": "Bad Request",
                    "param": "body.seconds",
                    "code": 400,
                }
            },
            "1 validation error",
            "seconds",
        ),
        (
            400,
            {"error": {"message": "Invalid model", "type": "None", "param": "None", "code": "400"}},
            "Invalid model",
            "None",
        ),
    ],
)
async def test_both_error_envelopes_at_400_and_422(
    status: int, body: dict[str, object], says: str, param: str | None, clock: SimulatedClock
) -> None:
    transport = httpx.MockTransport(lambda _r: httpx.Response(status, json=body))
    async with VideosClient("http://x.test/v1", transport=transport, clock=clock) as client:
        with pytest.raises(errors.BadRequestError, match=says) as caught:
            await client.create(prompt="a heron")
    assert caught.value.status_code == status and caught.value.param == param


# -- a restart forgets every job ------------------------------------------------------------------


async def test_a_restarted_engine_has_forgotten_the_job(mp4: bytes, clock: SimulatedClock) -> None:
    fake = engine("vllm-omni", mp4, clock)
    async with client_for(fake, clock, dialect="vllm-omni") as client:
        video = await client.create(prompt="a heron")
        fake.restart()
        with pytest.raises(errors.NotFoundError, match="Video not found"):
            await client.wait(video.id)
