"""Handwritten inputs of the code generator: the driver, our plugin and the base-client shim."""
