"""The editor window and its parts (QtWidgets). Only app, cli and testing import this."""
