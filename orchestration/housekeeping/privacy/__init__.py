"""The privacy domain: erasing one driver's data from every copy ChargeLake keeps (docs/privacy.md)."""
