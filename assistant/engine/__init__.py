"""The seam between the turn pipeline and the brains: `Engine.respond(turn, ctx) -> Reply`."""
