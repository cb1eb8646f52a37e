"""Portside conversation engine, channels and command line."""
