"""Test support for the trigger side: a stand-in Jenkins (see fake_jenkins) and webhook senders."""
