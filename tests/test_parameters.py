"""The single parameter definition: complete, validated, and the one source of the docs table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.parameters import (
    LEVERS,
    PARAMETER_NAMES,
    ParameterError,
    Parameters,
    markdown_table,
    parse_assignment,
    spec,
    validate,
)

REQUIRED = (
    "n_units", "unit_size", "frontline_share", "conscript_share", "combat_intensity",
    "supply_level", "medical_care", "officer_competence", "officer_harshness",
    "penalty_severity", "enforcement", "propaganda", "peer_influence",
)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def test_required_parameters_exist_with_full_definitions():
    for name in REQUIRED:
        assert name in PARAMETER_NAMES
    for name in PARAMETER_NAMES:
        s = spec(name)
        assert s["meaning"] and s["units"], name
        assert s["min"] <= s["default"] <= s["max"], name
        assert s["group"] in ("army", "lever", "behaviour"), name


def test_intensity_levers_are_0_to_1_and_say_what_their_ends_mean():
    for name in LEVERS:
        s = spec(name)
        if s["units"] == "0..1":
            assert (s["min"], s["max"]) == (0, 1), name
            assert s["low"] and s["high"], f"{name} must document what 0 and 1 mean"


def test_every_default_lies_in_its_own_range():
    """pydantic does not check defaults: a default typed outside its range would go unnoticed."""
    for name in Parameters.model_fields:
        s = spec(name)
        assert s["min"] <= s["default"] <= s["max"], (name, s["default"], s["min"], s["max"])
        assert s["meaning"], name


def test_every_parameter_added_by_the_revision_names_its_source():
    for name in ("prison_share", "peer_threshold_mean", "norm_weight", "cohesion_weight",
                 "police_per_100", "capture_k", "leadership_span"):
        assert spec(name)["source"], name


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"penalty_severity": 1.5}, "'penalty_severity'.*1.5.*from 0 to 1"),
        ({"enforcement": -0.1}, "'enforcement'.*-0.1.*from 0 to 1"),
        ({"n_units": 2.5}, "'n_units'.*whole number from 1 to"),
        ({"penalty_severty": 0.5}, "unknown parameter 'penalty_severty'.*did you mean 'penalty_severity'"),
        ({"propaganda": float("nan")}, "'propaganda'.*nan"),
        ({"frontline_share": 0.8, "second_line_share": 0.5}, "frontline_share \\+ second_line_share"),
    ],
)
def test_bad_values_give_one_line_naming_field_value_and_range(values, expected):
    with pytest.raises(ParameterError) as info:
        validate(values)
    message = str(info.value)
    assert "\n" not in message
    assert re.search(expected, message), message


def test_set_assignment_parsing():
    # --set values are text: read as the parameter's type, then validated strictly
    assert parse_assignment("enforcement=0.7") == ("enforcement", 0.7)
    assert parse_assignment("n_units=4") == ("n_units", 4)
    assert parse_assignment("n_units=4.0") == ("n_units", "4.0")  # not a whole number: left for validate
    assert parse_assignment("enforcement=true") == ("enforcement", "true")
    assert validate({"enforcement": "0.7"}).enforcement == 0.7  # lax for internal callers
    for bad in ("enforcement", "=0.5", "enforcement=", "enforcment=0.5"):
        with pytest.raises(ParameterError):
            parse_assignment(bad)


def test_markdown_table_lists_every_parameter_once():
    table = markdown_table()
    for name in PARAMETER_NAMES:
        assert table.count(f"| `{name}` |") == 1


def test_docs_parameter_table_is_the_generated_one():
    text = DOCS.read_text(encoding="utf-8")
    begin = text.index("<!-- BEGIN PARAMETERS")
    begin = text.index("\n", begin) + 1
    end = text.index("<!-- END PARAMETERS -->")
    assert text[begin:end] == markdown_table(), (
        "docs/ODD.md's parameter table is stale: run `uv run python docs/update_tables.py`"
    )


def test_every_generated_table_in_the_docs_is_current():
    """Parameters, metrics and unit columns in docs/ODD.md match their single definitions."""
    import importlib.util

    spec_ = importlib.util.spec_from_file_location("update_tables", DOCS.parent / "update_tables.py")
    module = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(module)
    text = DOCS.read_text(encoding="utf-8")
    assert module.refresh(text) == text, "run `uv run python docs/update_tables.py`"


@pytest.mark.parametrize("values", [{"enforcement": "0.7"}, {"enforcement": True}, {"n_units": "3"},
                                    {"n_units": 4.0}, {"n_units": True}])
def test_strict_validation_turns_no_string_or_boolean_into_a_number(values):
    with pytest.raises(ParameterError, match="is not allowed: it must be a"):
        validate(values, strict=True)
    assert validate({"enforcement": 1, "n_units": 4}, strict=True).enforcement == 1.0


def test_every_lever_has_a_short_plain_english_label():
    """The dashboard's sliders read their labels from the definition: every policy lever needs one."""
    for name in LEVERS:
        label = spec(name)["label"]
        assert label, f"lever {name} has no label (give _param a label=...)"
        assert "_" not in label and len(label) <= 32, (name, label)
    labels = [spec(name)["label"] for name in LEVERS]
    assert len(set(labels)) == len(labels), "two levers share a label"
