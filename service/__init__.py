"""The service layer: the composition root (bootstrap), the use cases the command line
calls, and the infrastructure beside them (store addresses, the eventsourcing
application, copying a history)."""
