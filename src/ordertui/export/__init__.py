"""Exports of orders: CSV and XLSX writers, the column registry, e-mail delivery."""
