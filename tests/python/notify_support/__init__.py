"""Local receivers and the real Pushgateway for the notify tests."""
