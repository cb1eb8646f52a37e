"""Store platform registry: a platform is added by registering a factory under its PORTSIDE_STORE name.

A factory takes the settings object (read by attribute: shopify_shop, woo_url…) and returns a Platform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.platforms.base import Platform

PlatformFactory = Callable[[Any], Platform]
_FACTORIES: dict[str, PlatformFactory] = {}


def register_platform(name: str) -> Callable[[PlatformFactory], PlatformFactory]:
    def deco(factory: PlatformFactory) -> PlatformFactory:
        _FACTORIES[name] = factory
        return factory
    return deco


def make_platform(name: str, settings: Any) -> Platform:
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ValueError(f"unknown store platform {name!r}; registered: {', '.join(registered())}") from None
    return factory(settings)


def registered() -> list[str]:
    return sorted(_FACTORIES)


@register_platform("shopify")
def _shopify(settings: Any) -> Platform:
    from connectors.shopify.client import ShopifyClient
    from connectors.shopify.mapping import Mapping
    from connectors.shopify.platform import ShopifyPlatform

    client = ShopifyClient(settings.shopify_shop, settings.shopify_token, api_url=settings.shopify_api_url or None)
    return ShopifyPlatform(client, settings.shopify_webhook_secret,
                           Mapping(final_sale_tag=settings.final_sale_tag))


@register_platform("woocommerce")
def _woocommerce(settings: Any) -> Platform:
    from connectors.woocommerce.client import WooClient
    from connectors.woocommerce.platform import WooCommercePlatform

    client = WooClient(settings.woo_url, settings.woo_key, settings.woo_secret)
    return WooCommercePlatform(client, settings.woo_webhook_secret, final_sale_tag=settings.final_sale_tag)
