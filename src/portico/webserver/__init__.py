"""The webserver (console server): WebUI, browser sessions, log-in, and the signed relay."""
