"""Which tracking changes the shopper hears about without asking, and which also go to a person. Pure."""

from __future__ import annotations

from assistant.policy.config import NoticeKind, TrackingPolicy

# A parcel entering one of these states is news for the shopper (customs only when duties block it).
ENTERING: dict[str, NoticeKind] = {"delivery_failed": "delivery_failed", "returned_to_sender": "returned_to_sender",
                                   "lost": "lost"}
HANDOFF_REASONS: dict[NoticeKind, str] = {"lost": "lost_parcel", "returned_to_sender": "returned_to_sender",
                                          "delivery_failed": "delivery_failed", "customs_hold": "payment_issue",
                                          "stalled": "lost_parcel"}


def notice_for(before: str, after: str, duties_due: bool, policy: TrackingPolicy) -> NoticeKind | None:
    """The notice a status change calls for, if the policy wants shoppers told of it."""
    if before == after and not (after == "customs_hold" and duties_due):
        return None
    kind: NoticeKind | None = ENTERING.get(after)
    if after == "customs_hold" and duties_due:
        kind = "customs_hold"
    return kind if kind in policy.notify else None


def needs_person(kind: NoticeKind, policy: TrackingPolicy) -> str | None:
    """The handoff reason when the policy sends this kind of notice to a person too."""
    return HANDOFF_REASONS[kind] if kind in policy.handoff else None
