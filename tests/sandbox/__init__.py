"""Tests of the embedded sandbox server, over real loopback sockets."""
