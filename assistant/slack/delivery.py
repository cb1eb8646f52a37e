"""Delivers handoff notifications to Slack from the outbox: post once, update in place, thread shopper messages."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Connection, delete, insert, select

from assistant.privacy.erase import SLACK_DELETE
from assistant.runtime import Services
from assistant.slack.blocks import esc, fallback_text, handoff_blocks, privacy_text
from assistant.storage import schema as t
from assistant.storage.outbox import RetryLater, enqueue

POST, UPDATE, THREAD = "slack.handoff_post", "slack.handoff_update", "slack.thread_message"
TEXT = "slack.channel_text"  # a plain post to the handoff channel (daily stuck-parcel list)
PRIVACY = "slack.privacy_request"  # a data-subject request for staff, with its deadline
DELETE = SLACK_DELETE  # an erasure removes what Portside posted about the person


def make_client(services: Services) -> WebClient:
    s = services.settings
    return WebClient(token=s.slack_bot_token, base_url=s.slack_api_url, timeout=10)


class SlackDelivery:
    def __init__(self, services: Services, client: WebClient) -> None:
        self.services = services
        self.client = client
        self.channel = services.settings.slack_channel

    # -- hooks: called inside the transaction that changes the handoff ---------------------------
    def on_handoff_created(self, conn: Connection, row: dict[str, Any]) -> None:
        enqueue(conn, POST, f"post:{row['id']}", {"handoff_id": row["id"]})

    def on_handoff_changed(self, handoff_id: str, version: str) -> None:
        self.services.outbox.add(UPDATE, f"update:{handoff_id}:{version}", {"handoff_id": handoff_id})

    def on_privacy_request(self, conn: Connection, row: dict[str, Any]) -> None:
        enqueue(conn, PRIVACY, f"privacy:{row['id']}", {"request_id": row["id"]})

    def on_shopper_message(self, session_id: str, handoff_id: str | None, text: str, message_id: int) -> None:
        if handoff_id:
            self.services.outbox.add(THREAD, f"thread:{message_id}", {"handoff_id": handoff_id, "text": text})

    # -- outbox handlers -----------------------------------------------------------------------
    def post(self, payload: dict[str, Any]) -> None:
        if self.posted(payload["handoff_id"]) is not None:
            return  # already in the channel: never twice
        row = self.services.handoffs.get(payload["handoff_id"])
        if row is None:
            return
        resp = self._call(self.client.chat_postMessage, channel=self.channel, text=fallback_text(row),
                          blocks=handoff_blocks(row, self._return_status(row)), unfurl_links=False)
        with self.services.engine.begin() as conn:
            conn.execute(insert(t.slack_posts).values(handoff_id=row["id"], channel=resp["channel"], ts=resp["ts"]))
            self._posted(conn, resp, handoff_id=row["id"])

    def update(self, payload: dict[str, Any]) -> None:
        where = self.posted(payload["handoff_id"])
        if where is None:
            raise RetryLater(2, "handoff not posted yet")
        row = self.services.handoffs.get(payload["handoff_id"])
        if row is None:
            return
        self._call(self.client.chat_update, channel=where[0], ts=where[1], text=fallback_text(row),
                   blocks=handoff_blocks(row, self._return_status(row)))

    def thread(self, payload: dict[str, Any]) -> None:
        where = self.posted(payload["handoff_id"])
        if where is None:
            raise RetryLater(2, "handoff not posted yet")
        resp = self._call(self.client.chat_postMessage, channel=where[0], thread_ts=where[1],
                          text=f":speech_balloon: Shopper: {esc(payload['text'])}")
        with self.services.engine.begin() as conn:
            self._posted(conn, resp, handoff_id=payload["handoff_id"])

    def privacy(self, payload: dict[str, Any]) -> None:
        row = self.services.privacy.get(payload["request_id"])
        if row is None or row["state"] != "open":
            return  # decided (or erased) before it was posted
        resp = self._call(self.client.chat_postMessage, channel=self.channel, text=privacy_text(row),
                          unfurl_links=False)
        with self.services.engine.begin() as conn:
            self._posted(conn, resp, privacy_request_id=row["id"])

    def digest(self, payload: dict[str, Any]) -> None:
        """The weekly insights digest with its chart (files_upload_v2: the channel must be an id, C…)."""
        from assistant.insights.digest import deliver

        self._call(lambda **kw: deliver(self.services, self.client, self.channel, kw), **payload)

    def delete(self, payload: dict[str, Any]) -> None:
        """Delete a message Portside posted; one already gone counts as deleted."""
        try:
            self._call(self.client.chat_delete, channel=payload["channel"], ts=payload["ts"])
        except SlackApiError as exc:
            if (exc.response.get("error") if exc.response is not None else None) != "message_not_found":
                raise
        with self.services.engine.begin() as conn:
            conn.execute(delete(t.slack_messages).where(t.slack_messages.c.channel == payload["channel"])
                         .where(t.slack_messages.c.ts == payload["ts"]))

    def text(self, payload: dict[str, Any]) -> None:
        self._call(self.client.chat_postMessage, channel=self.channel, text=payload["text"], unfurl_links=False)

    # -- helpers -------------------------------------------------------------------------------
    def _posted(self, conn: Connection, resp: Any, **link: str) -> None:
        conn.execute(insert(t.slack_messages).values(channel=resp["channel"], ts=resp["ts"],
                                                     posted_at=self.services.clock.now(), **link))

    def posted(self, handoff_id: str) -> tuple[str, str] | None:
        with self.services.engine.connect() as conn:
            row = conn.execute(select(t.slack_posts.c.channel, t.slack_posts.c.ts)
                               .where(t.slack_posts.c.handoff_id == handoff_id)).first()
        return (row[0], row[1]) if row else None

    def handoff_for_thread(self, channel: str, ts: str) -> str | None:
        with self.services.engine.connect() as conn:
            return conn.scalar(select(t.slack_posts.c.handoff_id).where(t.slack_posts.c.ts == ts)
                               .where(t.slack_posts.c.channel == channel))

    def _return_status(self, row: dict[str, Any]) -> str | None:
        draft = row["packet"].get("return_draft") or {}
        rma = self.services.returns.get(draft["rma_id"]) if draft.get("rma_id") else None
        return rma["status"] if rma else None

    @staticmethod
    def _call(method: Any, **kwargs: Any) -> Any:
        try:
            return method(**kwargs)
        except SlackApiError as exc:
            if exc.response is not None and exc.response.status_code == 429:
                raise RetryLater(float(exc.response.headers.get("Retry-After", "1")), "rate limited") from None
            raise
