"""The merchant's shops: the ``ShopAdapter`` contract (``base``), the registry of shop
platforms (``registry``), the demo shop that comes with the demo supplier (``demo``) and
Shopify (``shopify/``)."""
