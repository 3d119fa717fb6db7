"""Every write of the placements app (docs/architecture.md: services), one module per part
of the cycle."""
