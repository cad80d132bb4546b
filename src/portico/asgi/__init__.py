"""HTTP plumbing shared by the manager and the webserver (no domain logic)."""
