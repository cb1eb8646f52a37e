"""Escalation to staff: handoff packets, their states, and the staff actions on them."""
