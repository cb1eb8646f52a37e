"""Store platforms that own the orders (Shopify, WooCommerce): read into a local mirror, written through."""
