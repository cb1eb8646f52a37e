"""Staff access: named API tokens with scopes."""
