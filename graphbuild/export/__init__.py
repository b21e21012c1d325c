"""Exporters: read the store, write a format. Found by name through a registry."""
