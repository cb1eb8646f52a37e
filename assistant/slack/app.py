"""The Slack app (slack-bolt): handoff buttons, staff thread replies relayed to shoppers, `/portside`, mentions.

Mounted in FastAPI at /slack/events (HTTP mode, signatures verified), or run over Socket Mode when
PORTSIDE_SLACK_APP_TOKEN is set.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import Ack, App, Respond, Say
from slack_sdk import WebClient
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from assistant.audit import Actor
from assistant.handoffs.service import HandoffError
from assistant.insights.digest import TOPIC as DIGEST
from assistant.returns.decisions import decide_return
from assistant.returns.service import ReturnStateError
from assistant.runtime import Services
from assistant.slack import ops
from assistant.slack.approvers import Approvers
from assistant.slack.blocks import esc
from assistant.slack.delivery import DELETE, POST, PRIVACY, TEXT, THREAD, UPDATE, SlackDelivery, make_client
from assistant.storage import schema as t

log = logging.getLogger("portside.slack")


def enabled(services: Services) -> bool:
    s = services.settings
    return bool(s.slack_bot_token and (s.slack_signing_secret or s.slack_app_token))


def install(services: Services, client: WebClient | None = None) -> tuple[App, SlackDelivery]:
    """Build the bolt app and wire the outbox hooks into the services."""
    client = client or make_client(services)
    delivery = SlackDelivery(services, client)
    # Installing again on the same services (a second app) replaces the hooks: one handoff, one Slack post.
    _hook(services.handoff_hooks, delivery.on_handoff_created)
    _hook(services.handoff_change_hooks, delivery.on_handoff_changed)
    _hook(services.shopper_message_hooks, delivery.on_shopper_message)
    _hook(services.privacy_hooks, delivery.on_privacy_request)
    services.outbox.handler(POST, delivery.post)
    services.outbox.handler(UPDATE, delivery.update)
    services.outbox.handler(THREAD, delivery.thread)
    services.outbox.handler(TEXT, delivery.text)
    services.outbox.handler(PRIVACY, delivery.privacy)
    services.outbox.handler(DELETE, delivery.delete)
    services.outbox.handler(DIGEST, delivery.digest)
    app = App(token=services.settings.slack_bot_token, signing_secret=services.settings.slack_signing_secret or None,
              client=client, process_before_response=True, token_verification_enabled=False)
    register(app, services, delivery)
    return app, delivery


def _hook(hooks: list[Any], fn: Any) -> None:
    hooks[:] = [h for h in hooks if not isinstance(getattr(h, "__self__", None), SlackDelivery)]
    hooks.append(fn)


def slack_body_problem(raw: bytes, content_type: str) -> str | None:
    """Why a body can't be a Slack request (events are JSON; actions and commands are form-encoded, actions with a
    JSON `payload`), or None."""
    try:
        text = raw.decode("utf-8")
        if "json" in content_type:
            if not isinstance(json.loads(text), dict):
                return "a JSON object was expected"
        elif "payload" in (form := parse_qs(text)):
            if not isinstance(json.loads(form["payload"][0]), dict):
                return "payload must be a JSON object"
    except (UnicodeDecodeError, ValueError):
        return "body is not a valid Slack request (malformed JSON or encoding)"
    return None


def _user_name(client: WebClient, user_id: str) -> str:
    try:
        info = client.users_info(user=user_id)
        profile = info["user"].get("profile", {})
        return str(profile.get("display_name") or info["user"].get("real_name") or user_id)
    except Exception:  # the name is a courtesy; the id is enough
        return user_id


def slack_actor(client: WebClient, user_id: str) -> Actor:
    return Actor(f"slack:{user_id}", "slack", display=_user_name(client, user_id))


REFUSED = ":no_entry: Only approvers (PORTSIDE_SLACK_APPROVERS) can {what}."


def register(app: App, services: Services, delivery: SlackDelivery) -> None:
    approvers = Approvers(app.client, services.settings.slack_approvers)
    if approvers.open_to_all:
        log.warning("PORTSIDE_SLACK_APPROVERS is empty: anyone in the channel can approve returns and run "
                    "/portside commands")

    def act(ack: Ack, body: dict[str, Any], respond: Respond, fn: Any, guarded: str | None = None) -> None:
        ack()
        action = body["actions"][0]
        handoff_id = action["value"]
        user_id = body["user"]["id"]
        if guarded and not approvers.allowed(user_id):
            services.audit.record(Actor(f"slack:{user_id}", "slack"), "slack.refused", handoff_id,
                                  attempted=action["action_id"])
            respond(text=REFUSED.format(what=guarded), response_type="ephemeral", replace_original=False)
            return
        staff = slack_actor(app.client, user_id)
        try:
            fn(handoff_id, staff)
        except KeyError:
            respond(text=f"Handoff {esc(handoff_id)} no longer exists.", response_type="ephemeral",
                    replace_original=False)
        except (HandoffError, ReturnStateError) as exc:
            respond(text=f":warning: {esc(exc)}", response_type="ephemeral", replace_original=False)

    def send_suggested(handoff_id: str, staff: Actor) -> None:
        row = services.handoffs.get(handoff_id)
        if row is None:
            raise KeyError(handoff_id)
        services.handoffs.reply(handoff_id, staff, row["packet"]["suggested_reply"])

    def decide(approve: bool) -> Any:
        def fn(handoff_id: str, staff: Actor) -> None:
            row = services.handoffs.get(handoff_id)
            if row is None:
                raise KeyError(handoff_id)
            rma = (row["packet"].get("return_draft") or {}).get("rma_id")
            if not rma:
                raise HandoffError("this handoff has no return draft")
            decide_return(services, rma, approve, staff)
        return fn

    app.action("claim")(lambda ack, body, respond: act(ack, body, respond, services.handoffs.claim))
    app.action("send_suggested")(lambda ack, body, respond: act(ack, body, respond, send_suggested))
    app.action("approve_return")(lambda ack, body, respond: act(ack, body, respond, decide(True),
                                                                 guarded="approve returns"))
    app.action("reject_return")(lambda ack, body, respond: act(ack, body, respond, decide(False),
                                                                guarded="reject returns"))
    app.action("resolve")(lambda ack, body, respond: act(ack, body, respond, services.handoffs.resolve))

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient) -> None:
        # Only human replies in a handoff thread; our own posts (bot_id / subtypes) are never echoed back.
        if event.get("bot_id") or event.get("subtype") or not event.get("thread_ts") or not event.get("user"):
            return
        handoff_id = delivery.handoff_for_thread(event.get("channel", ""), event["thread_ts"])
        if handoff_id is None:
            return
        key = f"{event.get('channel')}:{event['ts']}"
        try:  # Slack retries (X-Slack-Retry-Num) deliver the same message again: relay it once
            with services.engine.begin() as conn:
                conn.execute(insert(t.slack_relayed).values(message_key=key))
        except IntegrityError:
            return
        text = re.sub(r"<@[A-Z0-9]+>", "", event.get("text", "")).strip()
        if not text:
            return
        try:
            services.handoffs.reply(handoff_id, slack_actor(client, event["user"]), text)
        except HandoffError as exc:
            client.chat_postEphemeral(channel=event["channel"], user=event["user"], text=f":warning: {esc(exc)}")

    def ops_answer(user_id: str, text: str) -> str:
        if not approvers.allowed(user_id):
            services.audit.record(Actor(f"slack:{user_id}", "slack"), "slack.refused", None,
                                  attempted=text.split(" ", 1)[0][:40])
            return REFUSED.format(what="run /portside commands")
        return ops.answer(services, text, slack_actor(app.client, user_id))

    @app.command("/portside")
    def slash(ack: Ack, command: dict[str, Any]) -> None:
        ack(text=ops_answer(command.get("user_id", ""), command.get("text", "")), response_type="ephemeral")

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Say, client: WebClient) -> None:
        text = re.sub(r"<@[A-Z0-9]+>", "", event.get("text", "")).strip()
        user_id = event.get("user", "")
        if not approvers.allowed(user_id):
            services.audit.record(Actor(f"slack:{user_id}", "slack"), "slack.refused", None, attempted="mention")
            client.chat_postEphemeral(channel=event["channel"], user=user_id,
                                      text=REFUSED.format(what="ask Portside ops questions"))
            return
        say(text=ops.answer(services, text, slack_actor(app.client, user_id)),
            thread_ts=event.get("thread_ts") or event["ts"])
