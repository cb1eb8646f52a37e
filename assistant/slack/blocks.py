"""Block Kit for a handoff message (pure: row in, blocks out). The message is updated in place on changes."""

from __future__ import annotations

from typing import Any

PRIORITY_EMOJI = {"urgent": ":rotating_light:", "high": ":large_orange_circle:", "normal": ":large_blue_circle:"}
STATE_TEXT = {"open": "Open", "claimed": "Claimed", "resolved": "Resolved"}


def esc(value: object) -> str:
    """Text from shoppers or the store, made inert for Slack: `<!channel>`, `<@U…>` and `<https://…|label>` in a
    shopper's message must not ping the channel or disguise a link (Slack's documented escaping of &, <, >)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str) -> str:
    return "\n".join(f">{esc(line)}" for line in text.splitlines() or [""])


def _text(text: str, limit: int = 2900) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def order_lines(order: dict[str, Any] | None) -> str:
    if not order:
        return "_No order in this conversation._"
    items = ", ".join(f"{i['quantity']}× {esc(i['name'])} ({i['unit_price']:.2f})" for i in order["items"])
    ships = "\n".join(f"• {esc(s['carrier'])} `{esc(s['tracking_number'])}`: {esc(s['status'])}"
                      + (f" (ETA {esc(s['estimated_delivery'])})" if s.get("estimated_delivery") else "")
                      for s in order.get("shipments", []))
    duties = order.get("duties") or {}
    duty = f"\nDuties: {duties['amount']:.2f} {esc(duties['currency'])} ({esc(duties['status'])})" if duties else ""
    return (f"*Order {esc(order['id'])}*: {esc(order['status'])} · {order['total']:.2f} {esc(order['currency'])} · "
            f"{esc(order['payment_method'])}\n{items}\n{ships or '• not shipped yet'}{duty}")


def handoff_blocks(row: dict[str, Any], return_status: str | None = None) -> list[dict[str, Any]]:
    p = row["packet"]
    customer = p.get("customer") or {}
    verified = p["verification"]
    who = (f"{esc(customer.get('name'))} · {esc(customer.get('email'))} · {esc(customer.get('country'))}"
           if customer else "Guest (not verified)")
    state = STATE_TEXT.get(row["state"], row["state"])
    if row.get("claimed_by"):
        state += f" by {esc(row['claimed_by'])}"
    header = f"{PRIORITY_EMOJI.get(row['priority'], '')} *{row['priority'].upper()}* · {row['reason']} · {state}"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": _text(header)},
        {"type": "section", "fields": [
            _text(f"*Language*\n{esc(p['language'])}"),
            _text(f"*Country*\n{esc(customer.get('country', '—'))}"),
            _text(f"*Verified*\n{'yes (' + str(verified['method']) + ')' if verified['verified'] else 'no'}"),
            _text(f"*Shopper*\n{who}"),
        ]},
        {"type": "section", "text": _text(f"*Summary*\n{esc(p['summary'])}")},
        {"type": "section", "text": _text(f"*Shopper's words*\n{quote(p['shopper_words'])}")},
        {"type": "section", "text": _text(order_lines(p.get("order")))},
    ]
    security = p.get("security")
    if security:
        failures = ", ".join(f"{esc(k)}: {n}" for k, n in (security.get("failures") or {}).items())
        blocks.append({"type": "section", "text": _text(
            f":lock: *Verification attack?* order ref `{esc(security.get('order_ref'))}` · failures {failures}"
            f" · locked until {esc(security.get('locked_until') or '—')}")})
    draft = p.get("return_draft")
    if draft:
        status = return_status or draft.get("status")
        blocks.append({"type": "section", "text": _text(
            f"*Return {esc(draft.get('rma_id'))}*: {esc(status)} · refund {esc(draft.get('refund_amount'))} "
            f"{esc(draft.get('currency'))} · items {esc(', '.join(i['sku'] for i in draft.get('items', [])))}")})
    blocks.append({"type": "section",
                   "text": _text(f"*Suggested reply ({esc(p['language'])})*\n{esc(p['suggested_reply'])}")})
    if row["state"] != "resolved":
        buttons = []
        if row["state"] == "open":
            buttons.append(_button("Claim", "claim", row["id"], "primary"))
        buttons.append(_button("Send suggested reply", "send_suggested", row["id"]))
        if draft and (return_status or draft.get("status")) == "awaiting_approval":
            buttons.append(_button("Approve return", "approve_return", row["id"], "primary"))
            buttons.append(_button("Reject return", "reject_return", row["id"], "danger"))
        buttons.append(_button("Resolve", "resolve", row["id"]))
        blocks.append({"type": "actions", "block_id": f"handoff:{row['id']}", "elements": buttons})
    blocks.append({"type": "context", "elements": [_text(f"Handoff `{row['id']}` · session `{row['session_id']}`")]})
    return blocks


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": text},
                              "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def fallback_text(row: dict[str, Any]) -> str:
    return f"[{row['priority']}] handoff {row['id']}: {row['reason']} — {esc(row['packet']['summary'][:200])}"


PRIVACY_KIND = {"data_request": "a copy of their data", "redact": "erasure of their data",
                "shop_redact": "erasure of the whole shop's data (app uninstalled)"}


def privacy_text(row: dict[str, Any]) -> str:
    """A privacy request for staff: what, whose (by id only: personal data stays out of Slack), and by when."""
    who = f"customer `{esc(row['customer_id'])}`" if row.get("customer_id") else (
        f"{esc(row['source'])} customer `{esc(row['customer_ref'])}`" if row.get("customer_ref") else "the shop")
    return (f":lock: *Privacy request* `{esc(row['id'])}` from {esc(row['source'])}: {who} asks for "
            f"{PRIVACY_KIND.get(row['kind'], esc(row['kind']))}. Due by *{row['due_at']:%Y-%m-%d}* "
            f"({esc(row.get('law') or 'GDPR')}).\n"
            f"Approvers: `/portside privacy fulfil {esc(row['id'])}` or "
            f"`/portside privacy refuse {esc(row['id'])} <reason>`")
