"""The bundled CPMS: a deterministic charging network served over OCPI 2.2.1 on loopback."""
