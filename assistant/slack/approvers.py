"""Who may approve returns, decide privacy requests and run ops commands in Slack: PORTSIDE_SLACK_APPROVERS lists
user ids (U…/W…) and user-group ids (S…); a group's members are read from Slack and kept for a few minutes."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("portside.slack")
GROUP_TTL = 300.0


class Approvers:
    def __init__(self, client: WebClient, configured: list[str]) -> None:
        self.client = client
        self.users = {c for c in configured if not c.startswith("S")}
        self.groups = [c for c in configured if c.startswith("S")]
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    @property
    def open_to_all(self) -> bool:
        return not self.users and not self.groups

    def allowed(self, user_id: str) -> bool:
        if self.open_to_all or user_id in self.users:
            return True
        return any(user_id in self._group(g) for g in self.groups)

    def _group(self, group: str) -> frozenset[str]:
        with self._lock:
            cached = self._members.get(group)
            if cached and time.monotonic() - cached[0] < GROUP_TTL:
                return cached[1]
        try:
            members = frozenset(self.client.usergroups_users_list(usergroup=group).get("users") or [])
        except SlackApiError as exc:  # fail closed: an unreadable group approves nobody
            log.warning("cannot read Slack user group %s: %s", group, exc.response.get("error") if exc.response
                        else exc)
            return cached[1] if cached else frozenset()
        with self._lock:
            self._members[group] = (time.monotonic(), members)
        return members
