"""`scheduler swap ...` through `scheduler.cli.main`: propose, list, show, approve, reject, withdraw,
volunteer; exit codes and errors in words."""

from __future__ import annotations

import pytest

from scheduler.cli import main
from scheduler.store import Store
from scheduler.store.swaps import SwapStatus
from tests.swap_helpers import PERIOD, published


@pytest.fixture
def store_path(tmp_path) -> str:
    path = tmp_path / "store.sqlite3"
    published(path).close()
    return str(path)


def run(capsys, store_path: str, *argv: str, by: str | None = "boss") -> tuple[int, str, str]:
    extra = ["--store", store_path] + (["--by", by] if by else [])
    code = main(["swap", *argv, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def propose(capsys, store_path, *argv: str, by: str = "r4"):
    return run(capsys, store_path, "propose", *argv, by=by)


def status(store_path: str, request_id: int) -> SwapStatus:
    with Store(store_path) as s:
        return s.swap_request(request_id).status


def test_propose_show_approve_list(capsys, store_path):
    """A valid swap: proposed (exit 0, verdict printed), shown, approved into version 2, listed as approved."""
    code, out, err = propose(capsys, store_path, "--reader", "r4", "--shift", "night", "--date", "2037-03-08",
                             "--with", "r2", "--their-date", "2037-03-06")
    assert code == 0, err
    assert out.startswith("proposed swap #1 (by r4)")
    assert "Verdict: can be approved." in out and "request now met: Dr r4 wanted the night shift" in out
    code, out, _ = run(capsys, store_path, "show", "1", by=None)
    assert code == 0 and out.startswith("swap #1: proposed; swap in 2037-03-02 to 2037-03-08, proposed by r4")
    assert "No hard rule broken for Dr r2." in out
    code, out, err = run(capsys, store_path, "approve", "1")
    assert code == 0, err
    assert out.startswith("approved swap #1: published 2037-03-02 to 2037-03-08 version 2 (by boss, ")
    assert "note: swap #1 approved by boss: Dr r4 swaps the night of 8 Mar 2037" in out
    assert "  moved: night 2037-03-08 at A: Dr r4 -> Dr r2" in out
    with Store(store_path) as s:
        assert s.latest_version(PERIOD).number == 2 and s.swap_request(1).published_number == 2
    code, out, _ = run(capsys, store_path, "list", "--status", "approved", by=None)
    assert code == 0 and out.startswith("#1    approved") and "Dr r4 swaps the night of 8 Mar 2037" in out
    code, out, _ = run(capsys, store_path, "list", "--status", "proposed", by=None)
    assert out == "no swap requests with these filters\n"
    code, out, _ = run(capsys, store_path, "show", "1", by=None)
    assert "approved by boss at " in out and "; published version 2" in out


def test_a_swap_breaking_rest_exits_2_and_is_not_approved(capsys, store_path):
    """Proposing it is recorded with exit 2 and B's broken rule; approving it exits 2 and publishes nothing."""
    code, out, _ = propose(capsys, store_path, "--reader", "r4", "--shift", "night", "--date", "2037-03-08",
                           "--with", "r3", "--their-date", "2037-03-04")
    assert code == 2
    assert "Hard rules broken for Dr r3 (1):" in out and "Dr r3: the night of 8 Mar 2037 starts 10.0 h after" in out
    assert "No hard rule broken for Dr r4." in out
    code, _, _ = run(capsys, store_path, "show", "1", by=None)
    assert code == 2
    code, out, err = run(capsys, store_path, "approve", "1")
    assert code == 2 and out == ""
    assert err.startswith("error: swap #1 was not approved: it breaks 1 hard rule(s)")
    assert status(store_path, 1) is SwapStatus.proposed


def test_reject_needs_a_reason(capsys, store_path):
    propose(capsys, store_path, "--reader", "r1", "--shift", "night", "--date", "2037-03-05", "--give-to", "r4")
    code, _, err = run(capsys, store_path, "reject", "1")
    assert code == 1 and "the following arguments are required: --reason" in err
    code, _, err = run(capsys, store_path, "reject", "1", "--reason", "  ")
    assert code == 1 and "give a reason for rejecting it" in err
    assert status(store_path, 1) is SwapStatus.proposed
    code, out, _ = run(capsys, store_path, "reject", "1", "--reason", "r4 is on leave")
    assert code == 0 and out == "rejected swap #1: r4 is on leave\n"
    code, _, err = run(capsys, store_path, "approve", "1")
    assert code == 1 and "swap #1 is already rejected by boss" in err


def test_an_open_give_away_takes_a_volunteer_then_is_approved(capsys, store_path):
    code, out, _ = propose(capsys, store_path, "--reader", "r1", "--shift", "night", "--date", "2037-03-05",
                           "--give-away")
    assert code == 0 and "gives the night of 5 Mar 2037 (Site A) to anyone who volunteers" in out
    code, _, err = run(capsys, store_path, "approve", "1")
    assert code == 1 and "nobody has volunteered" in err
    code, out, _ = run(capsys, store_path, "volunteer", "1", "--reader", "r4", by="r4")
    assert code == 0 and out.startswith("r4 takes the give-away #1") and "can be approved" in out
    code, _, err = run(capsys, store_path, "approve", "1")
    assert code == 0, err
    assert status(store_path, 1) is SwapStatus.approved


def test_withdraw(capsys, store_path):
    propose(capsys, store_path, "--reader", "r1", "--shift", "night", "--date", "2037-03-05", "--give-to", "r4")
    code, out, _ = run(capsys, store_path, "withdraw", "1", by="r1")
    assert code == 0 and out == "withdrew swap #1\n"
    assert status(store_path, 1) is SwapStatus.withdrawn
    with Store(store_path) as s:
        assert [(e.actor, e.action) for e in s.audit()][-2:] == [("r4", "swap.propose"), ("r1", "swap.withdraw")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["propose", "--reader", "r1", "--shift", "night", "--date", "5 March", "--give-away"],
         "expected a date as YYYY-MM-DD (got '5 March')"),
        (["propose", "--reader", "r1", "--shift", "night", "--date", "2037-03-05"],
         "one of the arguments --with --give-to --give-away is required"),
        (["propose", "--reader", "r1", "--shift", "night", "--date", "2037-03-05", "--with", "r2"],
         "--with needs --their-date"),
        (["propose", "--reader", "r1", "--shift", "night", "--date", "2037-03-05", "--give-to", "r2",
          "--their-date", "2037-03-06"], "--their-shift and --their-date go with --with"),
        (["propose", "--reader", "r1", "--shift", "night", "--date", "2037-03-06", "--give-away"],
         "Dr r1 does not work a night shift on 2037-03-06"),
        (["propose", "--reader", "r1", "--shift", "night", "--date", "2037-04-06", "--give-away"],
         "no published period includes 2037-04-06"),
        (["propose", "--reader", "r1", "--shift", "night", "--date", "2037-03-05", "--give-to", "zz"],
         "no reader 'zz' in this period's scenario"),
        (["show", "9"], "no swap request #9"),
        (["show", "0"], "must be at least 1"),
        (["list", "--status", "pending"], "unknown status 'pending'; valid: proposed, approved"),
    ],
)
def test_bad_input_is_refused_in_words_with_exit_1(capsys, store_path, argv, message):
    code, out, err = run(capsys, store_path, *argv, by=None)
    assert code == 1 and message in err and "Traceback" not in err
    with Store(store_path) as s:
        assert s.swap_requests() == []
