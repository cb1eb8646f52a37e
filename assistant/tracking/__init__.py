"""Live parcel tracking: registration with the tracker, fresh answers within a time budget, webhooks, proactive
notices to the shopper and stuck-parcel reports for staff."""
