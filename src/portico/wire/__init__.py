"""Backend.AI protocol pieces shared by the manager and the webserver."""
