"""The four service schemas (SDL), shipped for the local sandbox and the schema tooling."""
