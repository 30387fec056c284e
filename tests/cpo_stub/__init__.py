"""A small OCPI CPO, independent of the bundled simulator (it shares none of its code), serving the
specification's own example objects, the same objects reduced to their required fields, and objects
with vendor fields, in OCPI 2.2.1 or 2.1.1: the product must work against any conformant CPO."""
