"""Guest verification safeguards: one candidate per attempt, failures counted across sessions, growing lockouts."""
