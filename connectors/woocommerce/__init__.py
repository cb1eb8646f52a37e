"""WooCommerce REST API v3 connector (with the Shipment Tracking extension when the store has it)."""
