"""The webserver's routes: /server/* (log-in), /func/* (relay), the UI config and files."""
