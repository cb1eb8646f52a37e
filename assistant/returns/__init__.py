"""Return and exchange drafts (RMAs), their approval, and printable return labels."""
