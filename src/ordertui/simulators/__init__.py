"""Wire-compatible stand-ins for the suppliers' APIs, serving the demo engine's orders on
loopback: what the real adapters are tested against, and what a merchant can try them on
without an account (``ordertui simulate``)."""

#: faults that replace the answer before the app runs
BEFORE = ("5xx", "html", "drop", "stall", "ratelimit")
#: every fault kind a simulator knows; "truncated" cuts a real answer short and
#: "after_write" lets a write take effect, then loses or spoils its answer
KINDS = (*BEFORE, "truncated", "after_write")
