"""What every feature uses: the error route, background tasks, operations, widgets, the
table model base, and the live picture of the engine as Qt signals."""
