"""The run as a journal of events: events, apply(), controller, rollback planner, journal."""
