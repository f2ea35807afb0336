"""Shopify: a store read and written through its GraphQL Admin API (``adapter``)."""

from ordertui.shops.shopify.adapter import ShopifyAdapter

__all__ = ["ShopifyAdapter"]
