package io.tributary.schemas.registry;

/** A Confluent-framed record names a schema id that the registry does not have. */
public final class UnknownSchemaIdException extends RuntimeException {
    private final int schemaId;

    public UnknownSchemaIdException(int schemaId) {
        super("The schema registry has no schema with id " + schemaId);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }
}
