"""The console as people use it: the contract's session, a terminal, help examples, start-up."""
