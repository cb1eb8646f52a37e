"""The lockout store on its own: limits per kind of key, growing lockouts, forgetting, success resets."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from assistant.policy.config import VerificationPolicy
from assistant.runtime import Services
from assistant.verification.lockout import Keys, Lockout
from tests.conftest import NOW

pytestmark = pytest.mark.both_databases


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def lockout(services: Services, clock: Clock) -> Lockout:
    services.conversations  # noqa: B018 - creates the tables
    return Lockout(services.engine, clock, VerificationPolicy())


ORDER = Keys(order="BR-100234", customer="C-1", client="203.0.113.7")


def test_the_third_failure_locks_for_the_first_period_and_the_next_lock_lasts_twice_as_long(
        lockout: Lockout, clock: Clock) -> None:
    assert lockout.fail(ORDER).locked_until is None
    assert lockout.fail(ORDER).locked_until is None
    third = lockout.fail(ORDER)
    assert third.locked_until == NOW + timedelta(minutes=15) and third.newly_locked == ["order:BR-100234"]
    assert lockout.locked_until(ORDER) == NOW + timedelta(minutes=15)
    clock.at = NOW + timedelta(minutes=16)
    assert lockout.locked_until(ORDER) is None
    for _ in range(2):
        lockout.fail(ORDER)
    second = lockout.fail(ORDER)
    assert "order:BR-100234" in second.newly_locked
    assert second.locked_until == clock.at + timedelta(minutes=30)


def test_lockouts_stop_growing_at_the_maximum(services: Services, clock: Clock) -> None:
    services.conversations  # noqa: B018
    lockout = Lockout(services.engine, clock, VerificationPolicy(max_failures_per_order=1, lockout_minutes=60,
                                                                 max_lockout_hours=3, max_failures_per_client=100,
                                                                 max_failures_per_customer=100))
    ends = []
    for _ in range(5):
        until = lockout.fail(ORDER).locked_until
        assert until is not None
        ends.append(until - clock.at)
        clock.at = until + timedelta(seconds=1)
    assert ends == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=3), timedelta(hours=3),
                    timedelta(hours=3)]


def test_a_customer_is_locked_after_failures_on_several_of_their_orders(lockout: Lockout) -> None:
    for n in range(5):
        failure = lockout.fail(Keys(order=f"BR-10000{n}", customer="C-1", client=None))
    assert failure.newly_locked == ["customer:C-1"]
    assert lockout.locked_until(Keys(order="BR-100009", customer="C-1", client=None)) is not None
    assert lockout.locked_until(Keys(order="BR-100009", customer="C-2", client=None)) is None


def test_old_failures_are_forgotten(lockout: Lockout, clock: Clock) -> None:
    lockout.fail(ORDER)
    lockout.fail(ORDER)
    clock.at = NOW + timedelta(hours=25)
    assert lockout.fail(ORDER).failures["order:BR-100234"] == 1


def test_success_resets_the_order_and_customer_but_not_the_client(lockout: Lockout) -> None:
    lockout.fail(ORDER)
    lockout.fail(ORDER)
    lockout.succeed(ORDER)
    counts = lockout.fail(ORDER).failures
    assert counts["order:BR-100234"] == 1 and counts["customer:C-1"] == 1 and counts["client:203.0.113.7"] == 3


def test_a_failure_taken_back_is_as_if_it_never_happened(lockout: Lockout) -> None:
    """An engine attempt that failed mid-turn takes its counted failure back before the fallback counts it."""
    first = lockout.fail(ORDER)
    lockout.unfail(first)
    lockout.fail(ORDER)
    lockout.fail(ORDER)
    assert lockout.locked_until(ORDER) is None  # two failures counted, not three
    locking = lockout.fail(ORDER)
    assert locking.newly_locked == ["order:BR-100234"]
    lockout.unfail(locking)
    assert lockout.locked_until(ORDER) is None
    again = lockout.fail(ORDER)  # the same third failure, counted again: the first lockout period, not a doubled one
    assert again.locked_until == NOW + timedelta(minutes=15)
