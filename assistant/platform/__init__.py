"""Portside and the store platform: writes through the outbox, webhooks into the mirror, backfills."""
