"""Shopify Admin GraphQL API (2025-10) connector."""
