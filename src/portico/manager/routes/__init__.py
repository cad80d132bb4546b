"""The manager's HTTP routes, one module per area; thin translations to and from services."""
