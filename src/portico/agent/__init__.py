"""The agent side: what a node reports about itself, and the reporter that sends it."""
