"""The project's Videos API contract is valid, is what the checker loads, and stays equal to the
reference excerpt in paths, schemas and enums (where the reference is at hand)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_core import OpenAPI

from tests.contract.structure import CONTRACT, PARTS, enums, parts, render
from tests.openapi_spec import SPEC_FILE

#: The team's reference copy of OpenAI's spec, beside the project; a user's clone has none.
REFERENCE = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "spec" / "videos-openapi-excerpt.yaml"
).resolve()


def _load(path: Path) -> dict[str, object]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_checker_reads_the_projects_own_contract() -> None:
    assert SPEC_FILE == CONTRACT and CONTRACT.is_file()
    head = CONTRACT.read_text(encoding="utf-8").splitlines()[:12]
    assert any("github.com/openai/openai-openapi" in line for line in head), "source in header"
    assert any(line.startswith("# Derived 20") for line in head), "date in the header"


def test_the_contract_is_a_valid_openapi_document_with_the_video_shapes() -> None:
    document = _load(CONTRACT)
    OpenAPI.from_dict(document)  # raises on an invalid document
    found = parts(document)
    assert set(found["paths"]) >= {
        "/videos",
        "/videos/{video_id}",
        "/videos/{video_id}/content",
        "/videos/{video_id}/remix",
    }
    all_enums = enums(found["schemas"])
    assert all_enums["VideoSize.enum"][:4] == ["720x1280", "1280x720", "1024x1792", "1792x1024"]
    assert "completed" in all_enums["VideoStatus.enum"]


def test_the_contract_holds_structure_not_prose() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    for word in ("x-oaiMeta", "summary:", "example", "curl ", "x-source"):
        assert word not in body, word


@pytest.mark.skipif(
    not REFERENCE.is_file(),
    reason=(
        "the reference excerpt (../shared/spec beside the project) is only on the team's "
        "machines; a clone on its own checks against its committed contract"
    ),
)
def test_the_contract_equals_the_reference_in_paths_schemas_and_enums() -> None:
    reference, contract = parts(_load(REFERENCE)), parts(_load(CONTRACT))
    for part in PARTS:
        ref_enums, our_enums = enums(reference[part]), enums(contract[part])
        changed = sorted(
            k for k in ref_enums.keys() | our_enums.keys() if ref_enums.get(k) != our_enums.get(k)
        )
        assert not changed, f"enums differ from the reference in {part}: {changed}"
        assert sorted(reference[part]) == sorted(contract[part]), f"{part} names differ"
        assert reference[part] == contract[part], (
            f"{part} differ from the reference; regenerate with "
            "`python -m tests.contract.structure ../shared/spec/videos-openapi-excerpt.yaml "
            "> tests/contract/videos-openapi.yaml`"
        )


def test_a_changed_enum_in_the_reference_is_caught(tmp_path: Path) -> None:
    # The equality check above would see an upstream change: a size added to the reference.
    document = _load(CONTRACT)
    rendered = render(document, date="2026-01-01")
    changed = yaml.safe_load(rendered)
    changed["components"]["schemas"]["VideoSize"]["enum"].append("640x480")
    assert parts(changed) != parts(document)
    assert enums(parts(changed)["schemas"])["VideoSize.enum"][-1] == "640x480"
