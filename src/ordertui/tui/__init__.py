"""The Textual app. Nothing imports this package; it calls only ``ordertui.services``."""
