"""Selection rules: ambiguity, deterministic ties, version pinning and approval status."""

import pytest
from pulumi_pai_models import AmbiguousMatch, InvalidQuery, ModelQuery, NoMatch, Selection
from pulumi_pai_models.selection import pick_model, pick_version
from pulumi_pai_models.types import Model, ModelVersion, parse_time

Q = ModelQuery.build(model_name="qwen")


def model(model_id, created, name=None):
    return Model.from_api({"ModelId": model_id, "ModelName": name or model_id, "GmtCreateTime": created})


def version(name, created, status="Approved"):
    return ModelVersion.from_api({"VersionName": name, "GmtCreateTime": created, "ApprovalStatus": status, "Uri": f"oss://b/{name}/"})


def test_one_match_is_the_answer():
    only = model("m-1", "2024-01-01T00:00:00Z")
    assert pick_model([only], Q, most_recent=False) is only


def test_no_match_repeats_the_query():
    with pytest.raises(NoMatch) as info:
        pick_model([], Q, most_recent=False)
    assert "ModelName='qwen'" in str(info.value)


def test_several_matches_without_most_recent_list_candidates_newest_first():
    models = [model(f"m-{i}", f"2024-01-0{i}T00:00:00Z", f"qwen-{i}") for i in range(1, 8)]
    with pytest.raises(AmbiguousMatch) as info:
        pick_model(models, Q, most_recent=False)
    text = str(info.value)
    assert info.value.count == 7
    assert [m.model_id for m in info.value.candidates] == ["m-7", "m-6", "m-5", "m-4", "m-3"]
    assert "7 models match" in text and "and 2 more" in text and "most_recent=True" in text
    assert "m-1" not in text


def test_most_recent_takes_newest_and_breaks_ties_by_model_id_in_any_input_order():
    a = model("m-a", "2024-05-01T00:00:00Z")
    b = model("m-b", "2024-05-01T00:00:00Z")
    old = model("m-z", "2023-01-01T00:00:00Z")
    assert pick_model([a, b, old], Q, most_recent=True) is b
    assert pick_model([old, b, a], Q, most_recent=True) is b


def test_time_zones_are_compared_as_instants():
    utc = model("m-1", "2024-05-01T10:00:00Z")
    east = model("m-2", "2024-05-01T17:30:00+08:00")  # 09:30 UTC: older
    assert pick_model([east, utc], Q, most_recent=True) is utc


def test_version_pick_is_newest_with_status_and_natural_order_on_ties():
    m = model("m-1", "2024-01-01T00:00:00Z")
    versions = [
        version("0.9.0", "2024-02-01T00:00:00Z"),
        version("0.10.0", "2024-02-01T00:00:00Z"),
        version("1.0.0", "2024-03-01T00:00:00Z", status="Pending"),
    ]
    assert pick_version(versions, m, Selection.build(approval_status="Approved")).version_name == "0.10.0"
    assert pick_version(versions, m, Selection.build()).version_name == "1.0.0"
    with pytest.raises(NoMatch) as info:
        pick_version(versions, m, Selection.build(approval_status="Rejected"))
    assert "m-1" in str(info.value) and "Rejected" in str(info.value)


def test_selection_validation():
    assert Selection.build(approval_status="approved").approval_status == "Approved"
    with pytest.raises(InvalidQuery) as info:
        Selection.build(version="0.2.0", approval_status="Approved")
    assert info.value.parameter == "version"
    with pytest.raises(InvalidQuery) as info:
        Selection.build(approval_status="Maybe")
    assert info.value.parameter == "approval_status" and "Approved, Pending, Rejected" in str(info.value)
    with pytest.raises(InvalidQuery):
        Selection.build(most_recent="yes")
    with pytest.raises(InvalidQuery):
        Selection.build(version="  ")


# -- the newest model, read from PAI's time text when it can be ------------------------------------------------

_TIMES = [
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:01Z",
    "2023-12-31T23:59:59Z",
    "2024-02-31T00:00:00Z",  # no such day: parses to nothing, so it counts as the epoch
    "1969-12-31T23:59:59Z",  # before the epoch that a missing time stands for
    "2024-01-01T08:00:00+08:00",  # the same instant as the first, written otherwise
    "2024-01-01T00:00:00.5Z",
    "2024-06-01 00:00:00Z",  # twenty characters, a real time, but not PAI's form (a space for the T)
    "2025-06-01T00:00:00Z",
    None,
    "",
    "not a time",
]


def test_the_newest_is_the_first_of_newest_first_whatever_the_times():
    import random

    from pulumi_pai_models.selection import newest, newest_first

    rng = random.Random(20261206)
    for _ in range(3000):
        count = rng.randint(1, 6)
        models = [model(rng.choice(["m-1", "m-2", "m-10", "m-9"]), rng.choice(_TIMES)) for _ in range(count)]
        assert newest(models) is newest_first(models)[0], [m.raw for m in models]


def test_a_time_written_otherwise_is_read_as_a_time_not_as_text():
    from pulumi_pai_models.selection import newest

    later = model("m-1", "2024-06-01 00:00:05Z")  # as text, before any "2024-06-01T..." (a space sorts before T)
    earlier = model("m-2", "2024-06-01T00:00:01Z")
    assert newest([later, earlier]) is later and newest([earlier, later]) is later


def test_the_newest_of_pai_written_times_parses_one_time(monkeypatch):
    from pulumi_pai_models import selection

    parsed = []

    def counted(value):
        parsed.append(value)
        return parse_time(value)

    monkeypatch.setattr(selection, "parse_time", counted)
    models = [model(f"m-{i:05d}", f"2024-01-{1 + i % 28:02d}T00:00:{i % 60:02d}Z") for i in range(5000)]
    chosen = pick_model(models, Q, most_recent=True)
    assert chosen.raw["GmtCreateTime"] == "2024-01-28T00:00:59Z" and len(parsed) == 1
