"""Parcel-tracking providers (AfterShip, 17TRACK) behind one small Protocol (models.Tracker)."""
