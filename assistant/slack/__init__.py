"""Staff in Slack: handoff messages, thread relay, approvals, ops commands (slack-bolt)."""
