"""Who may change the stored measurements (issue 18): the rule `vbq.measurements.may_change`,
written out here as a table of cases, and the import restricted to one observer's readings."""

from __future__ import annotations

import pytest

from vbq.errors import InputError
from vbq.measurements import (
    ACTIONS,
    Editor,
    MeasurementStore,
    ROIMeasurement,
    editor_for,
    may_change,
    observer_code,
)

JANE = Editor("jane@lab.org", "JD")
HEAD = Editor("head@lab.org", "HL", admin=True)

# (editor, action, observers of the readings, authentication configured) -> allowed
CASES = [
    (None, "delete", ["AB"], False, True),       # no sign-in configured: anyone
    (None, "import", [], False, True),
    (None, "save", ["JD"], True, False),          # configured, nobody signed in
    (None, "import", [], True, False),
    (JANE, "save", ["JD"], True, True),           # her own readings
    (JANE, "delete", ["JD"], True, True),
    (JANE, "import", [], True, True),             # (the rows are checked by the store)
    (JANE, "delete", ["AB"], True, False),        # someone else's
    (JANE, "import", ["JD", "AB"], True, False),
    (JANE, "save", ["AB"], True, False),
    (HEAD, "delete", ["AB", "JD"], True, True),   # an administrator: everyone's
    (HEAD, "import", ["AB"], True, True),
]


@pytest.mark.parametrize(("editor", "action", "observers", "auth", "allowed"), CASES)
def test_who_may_change_what(editor, action, observers, auth, allowed):
    answer = may_change(editor, action, observers, authentication=auth)
    assert bool(answer) is answer.allowed is allowed
    assert answer.reason


def test_the_reasons_say_what_to_do():
    assert "anyone who can open this app" in may_change(None, "delete", ["AB"],
                                                        authentication=False).reason
    assert may_change(None, "import", []).reason == "Sign in to import measurements."
    refused = may_change(JANE, "delete", ["AB", "CD", "JD"])
    assert refused.reason == ("You are signed in as observer JD; the readings of observer(s) "
                              "AB, CD are someone else's. Only they or an administrator may "
                              "delete them.")
    with pytest.raises(InputError, match="action"):
        may_change(JANE, "drop", [])
    assert ACTIONS == ("save", "import", "delete")


def test_the_observer_code_of_a_signed_in_person():
    assert observer_code("Jane.Doe@Lab.org") == "jane.doe"
    assert observer_code("o'brien+mri@lab.org") == "o-brien-mri"
    assert observer_code("x" * 40 + "@lab.org") == "x" * 32
    assert observer_code("JANE@lab.org", {"jane@LAB.org": "JD"}) == "JD"
    with pytest.raises(InputError, match="not an observer code"):
        observer_code("jane@lab.org", {"jane@lab.org": "J D"})
    with pytest.raises(InputError, match="no observer code"):
        observer_code("@lab.org")
    assert editor_for("Head@Lab.org", admins=["head@lab.org"]) == Editor("head@lab.org", "head",
                                                                          admin=True)
    assert not editor_for("jane@lab.org", admins=["head@lab.org"]).admin


def _reading(observer: str, pid: str = "P1") -> list[ROIMeasurement]:
    return [ROIMeasurement(pid, observer, 1, lv, si) for lv, si in
            (("L1", 300.0), ("L2", 310.0), ("L3", 320.0), ("L4", 330.0), ("CSF", 110.0))]


def test_an_import_restricted_to_one_observer_refuses_the_others_rows():
    source = MeasurementStore("sqlite://")
    source.save(_reading("JD") + _reading("AB", "P2"))
    text = source.export_csv()
    store = MeasurementStore("sqlite://")
    with pytest.raises(InputError) as exc:
        store.import_csv(text, only_observer="JD")
    refused = [p for p in exc.value.problems if p.column == "observer"]
    assert [p.row for p in refused] == [7, 8, 9, 10, 11]  # P2 (AB) after P1 (JD), header row 1
    assert all("you may import only your own readings (observer JD)" in p.message
               for p in refused)
    assert store.count() == 0
    own = MeasurementStore("sqlite://")
    own.save(_reading("JD"))
    assert store.import_csv(own.export_csv(), only_observer="JD").inserted == 5
