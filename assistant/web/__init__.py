"""Shopper-facing web: the embeddable widget and the demo storefront."""
