"""Wire-compatible stand-ins for the suppliers' APIs, serving the demo engine's orders on
loopback: what the real adapters are tested against, and what a merchant can try them on
without an account (``ordertui simulate``)."""
